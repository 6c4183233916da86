//! Images made by code: the demo catalogue's product cards, the benchmark's 12-megapixel photo,
//! and the tests' edge cases (EXIF orientation with GPS tags, header-only bombs). The repository
//! holds no binary image files; everything is generated from these functions.

use image::{ExtendedColorType, ImageEncoder, ImageResult, RgbImage, RgbaImage, codecs};

/// A small deterministic generator (xorshift), so the same seed draws the same picture.
struct Noise(u64);

impl Noise {
    fn new(seed: u64) -> Self {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// In `-amplitude..=amplitude`.
    fn jitter(&mut self, amplitude: i32) -> i32 {
        let span = u64::try_from(2 * amplitude + 1).unwrap_or(1);
        i32::try_from(self.next() % span).unwrap_or(0) - amplitude
    }
}

fn clamp(v: i32) -> u8 {
    u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX)
}

/// A simple pattern: diagonal gradient with stripes, coloured by `seed`.
pub fn pattern(width: u32, height: u32, seed: u64) -> RgbImage {
    let base = hue_to_rgb(seed.wrapping_mul(47) % 360);
    RgbImage::from_fn(width, height, |x, y| {
        let t = i32::try_from((u64::from(x) + u64::from(y)) * 255 / u64::from(width + height))
            .unwrap_or(0);
        let stripe = if (x / 8 + y / 8) % 2 == 0 { 20 } else { -20 };
        image::Rgb([
            clamp(i32::from(base[0]) * (255 - t) / 255 + t / 3 + stripe),
            clamp(i32::from(base[1]) * (255 - t) / 255 + t / 3 + stripe),
            clamp(i32::from(base[2]) * (255 - t) / 255 + t / 3 + stripe),
        ])
    })
}

/// Something like a photograph: soft light across the frame, a few blurred blobs, sensor grain.
/// (Stripes and flat colour compress unrealistically well; this does not.)
pub fn photo(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut noise = Noise::new(seed);
    let blobs: Vec<(f32, f32, f32, [u8; 3])> = (0..6)
        .map(|_| {
            let x = (noise.next() % 1000) as f32 / 1000.0;
            let y = (noise.next() % 1000) as f32 / 1000.0;
            let r = 0.1 + (noise.next() % 300) as f32 / 1000.0;
            (x, y, r, hue_to_rgb(noise.next() % 360))
        })
        .collect();
    let (w, h) = (width as f32, height as f32);
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / w, y as f32 / h);
        let light = 0.55 + 0.45 * (1.0 - ((u - 0.4).powi(2) + (v - 0.3).powi(2)).sqrt());
        let mut px = [200.0 * light, 190.0 * light, 170.0 * light];
        for (bx, by, br, colour) in &blobs {
            let d = ((u - bx).powi(2) + (v - by).powi(2)).sqrt() / br;
            if d < 1.0 {
                let k = (1.0 - d * d) * 0.8;
                for (c, &target) in px.iter_mut().zip(colour) {
                    *c = *c * (1.0 - k) + f32::from(target) * k * light;
                }
            }
        }
        let grain = noise.jitter(6);
        image::Rgb(px.map(|c| clamp(c as i32 + grain)))
    })
}

/// A product card for the demo catalogue: the product's colour (from its name), a soft pattern,
/// and the name's initials drawn large in white.
pub fn product_card(name: &str, width: u32, height: u32) -> RgbImage {
    let seed = name.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    });
    let mut card = pattern(width, height, seed);
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphanumeric())
        .take(3)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let text = if initials.is_empty() {
        "?".to_string()
    } else {
        initials
    };
    let glyphs = u32::try_from(text.len()).unwrap_or(1);
    // 5 × 7 glyphs with one column of spacing, as large as fits two thirds of the width.
    let scale = (width * 2 / 3 / (glyphs * 6)).min(height / 2 / 7).max(1);
    let text_w = glyphs * 6 * scale - scale;
    let (x0, y0) = (
        (width - text_w.min(width)) / 2,
        (height - 7 * scale).min(height) / 2,
    );
    for (i, ch) in text.chars().enumerate() {
        let gx = x0 + u32::try_from(i).unwrap_or(0) * 6 * scale;
        for (row, bits) in glyph(ch).iter().enumerate() {
            for col in 0..5u32 {
                if bits & (0b10000 >> col) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let (px, py) = (
                            gx + col * scale + dx,
                            y0 + u32::try_from(row).unwrap_or(0) * scale + dy,
                        );
                        if px < width && py < height {
                            card.put_pixel(px, py, image::Rgb([255, 255, 255]));
                        }
                    }
                }
            }
        }
    }
    card
}

/// A 5 × 7 bitmap glyph (rows top to bottom, five bits each); unknown characters are a box.
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [30, 17, 17, 17, 17, 17, 30],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 10, 4, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [30, 1, 1, 14, 1, 1, 30],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        _ => [31, 17, 17, 17, 17, 17, 31],
    }
}

fn hue_to_rgb(hue: u64) -> [u8; 3] {
    // A mid-saturation colour wheel: vivid enough to tell products apart, soft enough for text.
    let h = (hue % 360) as f32 / 60.0;
    let x = 1.0 - (h % 2.0 - 1.0).abs();
    let (r, g, b) = match h as u32 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    [r, g, b].map(|c| clamp((60.0 + c * 150.0) as i32))
}

/// Encodes RGB pixels as a PNG.
pub fn encode_png(image: &RgbImage) -> ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    codecs::png::PngEncoder::new(&mut out).write_image(
        image.as_raw(),
        image.width(),
        image.height(),
        ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

/// Encodes RGB pixels as a baseline JPEG of the given quality.
pub fn encode_jpeg(image: &RgbImage, quality: u8) -> ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).write_image(
        image.as_raw(),
        image.width(),
        image.height(),
        ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

/// A patterned PNG.
pub fn png(width: u32, height: u32, seed: u64) -> ImageResult<Vec<u8>> {
    encode_png(&pattern(width, height, seed))
}

/// A patterned JPEG.
pub fn jpeg(width: u32, height: u32, seed: u64) -> ImageResult<Vec<u8>> {
    encode_jpeg(&pattern(width, height, seed), 85)
}

/// A photo-like JPEG, as a phone camera would send (quality 90).
pub fn photo_jpeg(width: u32, height: u32, seed: u64) -> ImageResult<Vec<u8>> {
    encode_jpeg(&photo(width, height, seed), 90)
}

/// A JPEG whose left half is red and right half blue (to see which way it was turned).
pub fn halves_jpeg(width: u32, height: u32) -> ImageResult<Vec<u8>> {
    let image = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([230, 20, 20])
        } else {
            image::Rgb([20, 20, 230])
        }
    });
    encode_jpeg(&image, 90)
}

/// A fully transparent PNG (a cut-out with nothing in it).
pub fn transparent_png(width: u32, height: u32) -> ImageResult<Vec<u8>> {
    let image = RgbaImage::from_pixel(width, height, image::Rgba([0, 0, 0, 0]));
    let mut out = Vec::new();
    codecs::png::PngEncoder::new(&mut out).write_image(
        image.as_raw(),
        width,
        height,
        ExtendedColorType::Rgba8,
    )?;
    Ok(out)
}

/// A PNG that declares `width × height` pixels but carries no pixel data: a decompression bomb
/// as a decoder sees it before it allocates.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    png_chunk(&mut out, b"IHDR", &ihdr);
    // An empty zlib stream: a valid start, far too short for the declared size.
    png_chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// `jpeg` with an EXIF block (APP1) carrying `orientation` (1–8) and, when given, a GPS
/// position `(latitude, longitude)` in degrees, as a phone camera writes them.
pub fn with_exif(jpeg: &[u8], orientation: u16, gps: Option<(f64, f64)>) -> Vec<u8> {
    // Big-endian TIFF: header, IFD0 (Orientation, GPS pointer), the GPS IFD, its rationals.
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let ifd0_entries: u16 = if gps.is_some() { 2 } else { 1 };
    let ifd0_len = 2 + 12 * u32::from(ifd0_entries) + 4;
    let gps_ifd = 8 + ifd0_len;
    tiff.extend_from_slice(&ifd0_entries.to_be_bytes());
    // Orientation: tag 0x0112, SHORT, count 1, value left-aligned.
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    if gps.is_some() {
        // GPSInfo IFD pointer: tag 0x8825, LONG, count 1.
        tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
        tiff.extend_from_slice(&gps_ifd.to_be_bytes());
    }
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    if let Some((lat, lon)) = gps {
        let entries: u16 = 4;
        let rationals = gps_ifd + 2 + 12 * u32::from(entries) + 4;
        tiff.extend_from_slice(&entries.to_be_bytes());
        let reference = |tag: u8, letter: u8| [0, tag, 0, 2, 0, 0, 0, 2, letter, 0, 0, 0];
        tiff.extend_from_slice(&reference(1, if lat < 0.0 { b'S' } else { b'N' }));
        tiff.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3]);
        tiff.extend_from_slice(&rationals.to_be_bytes());
        tiff.extend_from_slice(&reference(3, if lon < 0.0 { b'W' } else { b'E' }));
        tiff.extend_from_slice(&[0, 4, 0, 5, 0, 0, 0, 3]);
        tiff.extend_from_slice(&(rationals + 24).to_be_bytes());
        tiff.extend_from_slice(&0u32.to_be_bytes());
        for degrees in [lat.abs(), lon.abs()] {
            let whole = degrees.trunc();
            let minutes = ((degrees - whole) * 60.0).trunc();
            let seconds = ((degrees - whole) * 60.0 - minutes) * 60.0;
            for (num, den) in [
                (whole as u32, 1u32),
                (minutes as u32, 1),
                ((seconds * 100.0) as u32, 100),
            ] {
                tiff.extend_from_slice(&num.to_be_bytes());
                tiff.extend_from_slice(&den.to_be_bytes());
            }
        }
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let length = u16::try_from(app1.len() + 2).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(jpeg.len() + app1.len() + 4);
    out.extend_from_slice(&jpeg[..2.min(jpeg.len())]); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(jpeg.get(2..).unwrap_or_default());
    out
}
