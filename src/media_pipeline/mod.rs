//! Photo processing: untrusted bytes in, small lossy WebP derivatives out.
//!
//! The steps, in order, each one refusing as early and as cheaply as it can:
//!
//! 1. **Size**: more bytes than the limit (`PHOTO_MAX_BYTES`, 10 MB) are refused unread.
//! 2. **Format by its bytes**: JPEG, PNG or WebP magic numbers; the declared content type is never
//!    believed. HEIC, GIF, SVG, HTML, text and everything else are refused with a message naming
//!    the accepted formats.
//! 3. **Dimensions from the header**: more than 8,000 px a side or 40 megapixels is refused
//!    before a single pixel is decoded, so a decompression bomb (a tiny PNG declaring 50,000 ×
//!    50,000) costs a header read.
//! 4. **Decode, orient, strip**: the EXIF orientation is applied to the pixels; the pixels are
//!    all that survive (EXIF, GPS, XMP, ICC and comments are never copied), and transparency is
//!    flattened onto white.
//! 5. **Derivatives**: lossy WebP at 160, 480 and 1080 px on the longest side (never upscaled),
//!    each resized from the next larger one, plus a placeholder colour for apps to paint first.
//!
//! Everything here is synchronous and pure (bytes to bytes); [`PhotoProcessor`] runs it on the
//! blocking thread pool with a bound on concurrent jobs.

pub mod synth;

use std::{io::Cursor, sync::Arc};

use fast_image_resize::{self as fr, images::Image as FrImage};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use thiserror::Error;
use tokio::sync::Semaphore;

/// The formats a photo may arrive in, as named in refusals.
pub const ACCEPTED_FORMATS: &str = "JPEG, PNG or WebP";

/// A source format, identified by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Webp,
}

impl SourceFormat {
    fn image_format(self) -> ImageFormat {
        match self {
            SourceFormat::Jpeg => ImageFormat::Jpeg,
            SourceFormat::Png => ImageFormat::Png,
            SourceFormat::Webp => ImageFormat::WebP,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::Webp => "WebP",
        }
    }
}

/// The format of `bytes` from their first bytes; `None` for anything but JPEG, PNG or WebP.
pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(SourceFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(SourceFormat::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(SourceFormat::Webp)
    } else {
        None
    }
}

/// What a photo may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file (`PHOTO_MAX_BYTES`).
    pub max_bytes: u64,
    /// Longest accepted side, in pixels.
    pub max_side: u32,
    /// Most accepted pixels (width × height).
    pub max_pixels: u64,
}

impl Limits {
    pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;
    pub const MAX_SIDE: u32 = 8_000;
    pub const MAX_PIXELS: u64 = 40_000_000;

    pub fn with_max_bytes(max_bytes: u64) -> Self {
        Limits {
            max_bytes,
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_side: Self::MAX_SIDE,
            max_pixels: Self::MAX_PIXELS,
        }
    }
}

/// Why a photo was refused: the uploader's fault, reported to them as is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; photos may be at most {max} bytes")]
    TooLarge { size: u64, max: u64 },
    #[error("the file is not a JPEG, PNG or WebP image (other formats are not accepted)")]
    UnsupportedFormat,
    #[error(
        "the image is {width} × {height} pixels; photos may be at most {max_side} pixels a side and {max_megapixels} megapixels"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max_side: u32,
        max_megapixels: u64,
    },
    #[error("the {format} image cannot be read: {reason}")]
    Unreadable {
        format: &'static str,
        reason: String,
    },
}

/// A photo could not be processed.
#[derive(Debug, Error)]
pub enum ProcessError {
    /// The bytes are not an acceptable photo.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Our side failed (encoder, resizer, a panicked worker): not the uploader's fault.
    #[error("photo processing failed: {0}")]
    Failed(String),
}

/// The derivative sizes, by longest side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DerivativeSize {
    Thumb,
    Medium,
    Large,
}

impl DerivativeSize {
    /// Largest first: each derivative is resized from the one before it.
    pub const ALL: [DerivativeSize; 3] = [
        DerivativeSize::Large,
        DerivativeSize::Medium,
        DerivativeSize::Thumb,
    ];

    /// The longest side, in pixels.
    pub fn longest_side(self) -> u32 {
        match self {
            DerivativeSize::Thumb => 160,
            DerivativeSize::Medium => 480,
            DerivativeSize::Large => 1080,
        }
    }

    /// WebP quality (0–100): small images need fewer bits per pixel to look right.
    fn quality(self) -> f32 {
        match self {
            DerivativeSize::Thumb => 72.0,
            DerivativeSize::Medium => 76.0,
            DerivativeSize::Large => 80.0,
        }
    }

    /// The name stored with a photo and used in logs (`thumb`, `medium`, `large`).
    pub fn as_str(self) -> &'static str {
        match self {
            DerivativeSize::Thumb => "thumb",
            DerivativeSize::Medium => "medium",
            DerivativeSize::Large => "large",
        }
    }
}

/// One derivative: lossy WebP bytes with nothing but pixels in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivative {
    pub size: DerivativeSize,
    pub width: u32,
    pub height: u32,
    pub webp: Vec<u8>,
}

/// A processed photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    pub source_format: SourceFormat,
    /// The upright source dimensions (after the EXIF orientation).
    pub source_width: u32,
    pub source_height: u32,
    /// Largest first.
    pub derivatives: Vec<Derivative>,
    /// The average colour, `#rrggbb`, for apps to paint before the image arrives.
    pub placeholder: String,
}

impl ProcessedPhoto {
    pub fn derivative(&self, size: DerivativeSize) -> Option<&Derivative> {
        self.derivatives.iter().find(|d| d.size == size)
    }
}

/// What the header says, read without decoding pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: SourceFormat,
    pub width: u32,
    pub height: u32,
}

/// Steps 1–3: size, format and dimensions, from the header only.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<Header, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(Refusal::TooLarge {
            size,
            max: limits.max_bytes,
        });
    }
    let format = sniff(bytes).ok_or(Refusal::UnsupportedFormat)?;
    // Header only: no pixel buffer is allocated here, so no allocation limit is needed yet (with
    // one, a bomb would be refused as "unreadable" instead of with its dimensions).
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.no_limits();
    let decoder = reader.into_decoder().map_err(|e| unreadable(format, e))?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    Ok(Header {
        format,
        width,
        height,
    })
}

fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<(), Refusal> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0
        || height == 0
        || width > limits.max_side
        || height > limits.max_side
        || pixels > limits.max_pixels
    {
        return Err(Refusal::TooManyPixels {
            width,
            height,
            max_side: limits.max_side,
            max_megapixels: limits.max_pixels / 1_000_000,
        });
    }
    Ok(())
}

/// A reader for a sniffed format whose header passed `inspect`: the decoder's allocations are
/// capped as well, a second line of defence.
fn reader<'a>(
    bytes: &'a [u8],
    format: SourceFormat,
    limits: &Limits,
) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut decoder_limits = image::Limits::default();
    // Four bytes a pixel plus the decoder's working buffers.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(4).saturating_add(64 << 20));
    reader.limits(decoder_limits);
    reader
}

fn unreadable(format: SourceFormat, error: image::ImageError) -> Refusal {
    Refusal::Unreadable {
        format: format.name(),
        reason: error.to_string(),
    }
}

/// The whole pipeline, synchronously: inspect, decode, orient, strip, resize, encode.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<ProcessedPhoto, ProcessError> {
    let header = inspect(bytes, limits)?;
    let mut decoder = reader(bytes, header.format, limits)
        .into_decoder()
        .map_err(|e| unreadable(header.format, e))?;
    // A broken EXIF block is ignored rather than refused: the pixels are what matter.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| unreadable(header.format, e))?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let rgb = flatten_to_rgb(image);

    let mut resizer = fr::Resizer::new();
    let mut source = FrImage::from_vec_u8(width, height, rgb, fr::PixelType::U8x3)
        .map_err(|e| ProcessError::Failed(e.to_string()))?;
    let mut derivatives = Vec::with_capacity(DerivativeSize::ALL.len());
    let mut placeholder = String::new();
    for size in DerivativeSize::ALL {
        let (w, h) = fit(source.width(), source.height(), size.longest_side());
        let resized = if (w, h) == (source.width(), source.height()) {
            source.copy()
        } else {
            let mut dst = FrImage::new(w, h, fr::PixelType::U8x3);
            let options = fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
            resizer
                .resize(&source, &mut dst, &options)
                .map_err(|e| ProcessError::Failed(e.to_string()))?;
            dst
        };
        let webp = encode_webp(resized.buffer(), w, h, size.quality())?;
        if size == DerivativeSize::Thumb {
            placeholder = average_colour(resized.buffer());
        }
        derivatives.push(Derivative {
            size,
            width: w,
            height: h,
            webp,
        });
        source = resized;
    }
    Ok(ProcessedPhoto {
        source_format: header.format,
        source_width: width,
        source_height: height,
        derivatives,
        placeholder,
    })
}

/// The size that fits `longest` on the longest side, keeping the aspect ratio; never larger
/// than the source.
pub fn fit(width: u32, height: u32, longest: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= longest {
        return (width, height);
    }
    let scale = |side: u32| -> u32 {
        let scaled = (u64::from(side) * u64::from(longest) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(longest).max(1)
    };
    (scale(width), scale(height))
}

/// RGB pixels; transparency is composited onto white (product cut-outs on a white card).
fn flatten_to_rgb(image: DynamicImage) -> Vec<u8> {
    if !image.color().has_alpha() {
        return image.into_rgb8().into_raw();
    }
    let rgba = image.into_rgba8();
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.as_raw().chunks_exact(4) {
        let alpha = u16::from(px[3]);
        for &channel in &px[..3] {
            let blended = (u16::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255;
            rgb.push(u8::try_from(blended).unwrap_or(u8::MAX));
        }
    }
    rgb
}

fn encode_webp(rgb: &[u8], width: u32, height: u32, quality: f32) -> Result<Vec<u8>, ProcessError> {
    let mut config = webp::WebPConfig::new()
        .map_err(|()| ProcessError::Failed("libwebp rejected its default configuration".into()))?;
    config.lossless = 0;
    config.quality = quality;
    // Method 4 (libwebp's default) is the usual speed/size balance; 6 is ~2x slower for a few %.
    config.method = 4;
    let memory = webp::Encoder::from_rgb(rgb, width, height)
        .encode_advanced(&config)
        .map_err(|e| ProcessError::Failed(format!("WebP encoding failed: {e:?}")))?;
    Ok(memory.to_vec())
}

fn average_colour(rgb: &[u8]) -> String {
    let mut sums = [0u64; 3];
    let mut count = 0u64;
    for px in rgb.chunks_exact(3) {
        for (sum, &c) in sums.iter_mut().zip(px) {
            *sum += u64::from(c);
        }
        count += 1;
    }
    let count = count.max(1);
    format!(
        "#{:02x}{:02x}{:02x}",
        sums[0] / count,
        sums[1] / count,
        sums[2] / count
    )
}

/// Runs the pipeline off the async threads: on tokio's blocking pool, at most `permits` photos
/// at a time (each holds a decoded image of up to 40 MP, so the bound is a memory bound too).
/// Cloning is cheap; clones share the bound.
#[derive(Debug, Clone)]
pub struct PhotoProcessor {
    limits: Limits,
    permits: Arc<Semaphore>,
}

impl PhotoProcessor {
    pub fn new(limits: Limits, concurrency: usize) -> Self {
        PhotoProcessor {
            limits,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Processes `bytes`, waiting for a free slot first.
    pub async fn process(&self, bytes: Vec<u8>) -> Result<ProcessedPhoto, ProcessError> {
        // Refuse what is refused by its header without queueing behind other photos.
        inspect(&bytes, &self.limits)?;
        let _permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ProcessError::Failed(e.to_string()))?;
        let limits = self.limits;
        tokio::task::spawn_blocking(move || process(&bytes, &limits))
            .await
            .map_err(|e| ProcessError::Failed(format!("photo worker stopped: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_webp(bytes: &[u8]) -> image::RgbImage {
        assert_eq!(sniff(bytes), Some(SourceFormat::Webp));
        image::load_from_memory_with_format(bytes, ImageFormat::WebP)
            .unwrap()
            .into_rgb8()
    }

    #[test]
    fn formats_are_known_by_their_bytes() {
        assert_eq!(
            sniff(&synth::jpeg(8, 8, 1).unwrap()),
            Some(SourceFormat::Jpeg)
        );
        assert_eq!(
            sniff(&synth::png(8, 8, 1).unwrap()),
            Some(SourceFormat::Png)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(SourceFormat::Webp));
        for other in [
            &b"GIF89a..."[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"<!doctype html><html>",
            b"hello, this is text",
            b"\0\0\0\x18ftypheic",
            b"",
        ] {
            assert_eq!(sniff(other), None);
        }
    }

    #[test]
    fn text_and_svg_are_refused_naming_the_accepted_formats() {
        for bytes in [
            &b"just text"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ] {
            let refusal = inspect(bytes, &Limits::default()).unwrap_err();
            assert_eq!(refusal, Refusal::UnsupportedFormat);
            assert!(refusal.to_string().contains("JPEG, PNG or WebP"));
        }
        assert_eq!(inspect(b"", &Limits::default()), Err(Refusal::Empty));
    }

    #[test]
    fn oversize_files_are_refused_unread() {
        let png = synth::png(64, 64, 2).unwrap();
        let limits = Limits::with_max_bytes(png.len() as u64 - 1);
        assert!(matches!(
            inspect(&png, &limits),
            Err(Refusal::TooLarge { .. })
        ));
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let bomb = synth::png_header_only(50_000, 50_000);
        assert!(bomb.len() < 100, "only a header");
        let refusal = inspect(&bomb, &Limits::default()).unwrap_err();
        assert!(
            matches!(
                refusal,
                Refusal::TooManyPixels {
                    width: 50_000,
                    height: 50_000,
                    ..
                }
            ),
            "{refusal:?}"
        );
        // 7,000 × 7,000 is within a side but over 40 MP.
        let wide = synth::png_header_only(7_000, 7_000);
        assert!(matches!(
            inspect(&wide, &Limits::default()),
            Err(Refusal::TooManyPixels { .. })
        ));
        assert!(matches!(
            process(&bomb, &Limits::default()),
            Err(ProcessError::Refused(Refusal::TooManyPixels { .. }))
        ));
    }

    #[test]
    fn truncated_images_are_refused_not_panicked_on() {
        let jpeg = synth::jpeg(300, 200, 3).unwrap();
        let cut = &jpeg[..jpeg.len() / 3];
        match process(cut, &Limits::default()) {
            Err(ProcessError::Refused(_)) | Ok(_) => {}
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn derivatives_are_lossy_webp_at_three_sizes_never_upscaled() {
        let jpeg = synth::photo_jpeg(2000, 1500, 4).unwrap();
        let out = process(&jpeg, &Limits::default()).unwrap();
        let sizes: Vec<_> = out
            .derivatives
            .iter()
            .map(|d| (d.size, d.width, d.height))
            .collect();
        assert_eq!(
            sizes,
            [
                (DerivativeSize::Large, 1080, 810),
                (DerivativeSize::Medium, 480, 360),
                (DerivativeSize::Thumb, 160, 120),
            ]
        );
        for d in &out.derivatives {
            // Lossy WebP: a `VP8 ` chunk (lossless would be `VP8L`), no EXIF/XMP/ICC chunk.
            assert_eq!(&d.webp[12..16], b"VP8 ", "{:?}", d.size);
            let img = decode_webp(&d.webp);
            assert_eq!((img.width(), img.height()), (d.width, d.height));
        }
        let thumb = out.derivative(DerivativeSize::Thumb).unwrap();
        assert!(
            thumb.webp.len() < 15_000,
            "thumb is {} bytes",
            thumb.webp.len()
        );
        assert!(out.placeholder.starts_with('#') && out.placeholder.len() == 7);

        let small = process(&synth::png(300, 100, 5).unwrap(), &Limits::default()).unwrap();
        let sizes: Vec<_> = small
            .derivatives
            .iter()
            .map(|d| (d.width, d.height))
            .collect();
        assert_eq!(sizes, [(300, 100), (300, 100), (160, 53)]);
    }

    #[test]
    fn exif_orientation_is_applied_and_metadata_dropped() {
        // Stored 200 × 100, left half red and right half blue, tagged "rotate 90° clockwise"
        // (orientation 6) with the seller's GPS position.
        let jpeg = synth::with_exif(
            &synth::halves_jpeg(200, 100).unwrap(),
            6,
            Some((-7.6, 113.2)),
        );
        assert!(jpeg.windows(4).any(|w| w == b"Exif"));
        let out = process(&jpeg, &Limits::default()).unwrap();
        assert_eq!((out.source_width, out.source_height), (100, 200));
        let large = out.derivative(DerivativeSize::Large).unwrap();
        assert_eq!((large.width, large.height), (100, 200));
        let img = decode_webp(&large.webp);
        let top = img.get_pixel(50, 20);
        let bottom = img.get_pixel(50, 180);
        assert!(top[0] > 200 && top[2] < 60, "top is red: {top:?}");
        assert!(
            bottom[2] > 200 && bottom[0] < 60,
            "bottom is blue: {bottom:?}"
        );
        for d in &out.derivatives {
            assert!(!d.webp.windows(4).any(|w| w == b"Exif" || w == b"EXIF"));
            assert!(!d.webp.windows(4).any(|w| w == b"XMP "));
            assert!(!d.webp.windows(4).any(|w| w == b"ICCP"));
        }
    }

    #[test]
    fn transparency_is_flattened_onto_white() {
        let png = synth::transparent_png(40, 40).unwrap();
        let out = process(&png, &Limits::default()).unwrap();
        let img = decode_webp(&out.derivatives[0].webp);
        let px = img.get_pixel(20, 20);
        assert!(px.0.iter().all(|&c| c > 235), "{px:?}");
    }

    #[test]
    fn fit_keeps_the_aspect_ratio() {
        assert_eq!(fit(4000, 3000, 1080), (1080, 810));
        assert_eq!(fit(3000, 4000, 160), (120, 160));
        assert_eq!(fit(100, 50, 160), (100, 50));
        assert_eq!(fit(8000, 1, 160), (160, 1));
    }

    #[tokio::test]
    async fn the_processor_runs_off_the_async_threads() {
        let processor = PhotoProcessor::new(Limits::default(), 1);
        let jobs = (0..3).map(|seed| processor.process(synth::png(320, 240, seed).unwrap()));
        for out in futures_util::future::join_all(jobs).await {
            assert_eq!(out.unwrap().derivatives.len(), 3);
        }
        assert!(matches!(
            processor.process(b"nope".to_vec()).await,
            Err(ProcessError::Refused(Refusal::UnsupportedFormat))
        ));
    }
}
