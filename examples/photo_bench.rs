//! Photo processing benchmark: a 12-megapixel JPEG (4000 × 3000, photo-like content, quality
//! 90, as a phone camera sends) through the whole pipeline: header checks, decode, orientation,
//! the three lossy WebP derivatives and the placeholder. One photo at a time on one thread (the
//! pipeline uses no threads of its own), which is what one `PHOTO_CONCURRENCY` slot costs.
//!
//! Run: `cargo run --release --example photo_bench` (optionally `-- <iterations>`).

use std::time::{Duration, Instant};

use pasar_oleh::media_pipeline::{Limits, process, synth};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(7);
    let jpeg = synth::photo_jpeg(4000, 3000, 12)?;
    println!(
        "source: 4000 x 3000 JPEG (12.0 MP), {:.1} MB",
        jpeg.len() as f64 / 1e6
    );
    let limits = Limits::default();
    // One warm-up run (page faults, allocator), not counted.
    let out = process(&jpeg, &limits)?;
    for d in &out.derivatives {
        println!(
            "  {:<6} {:>4} x {:<4} {:>7} bytes WebP",
            d.size.as_str(),
            d.width,
            d.height,
            d.webp.len()
        );
    }
    let mut times: Vec<Duration> = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let out = process(&jpeg, &limits)?;
        times.push(started.elapsed());
        std::hint::black_box(out);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "12 MP JPEG -> THUMB + MEDIUM + LARGE WebP, {iterations} runs on one thread: min {:.0} ms, median {:.0} ms, max {:.0} ms",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    Ok(())
}
