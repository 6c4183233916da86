//! The languages of user-error messages: Indonesian by default, English when the request's
//! `Accept-Language` prefers it.
//!
//! Services write their messages in English; that text is the message's id. [`MESSAGES`] is the
//! one table of translations: each entry pairs an English template with its Indonesian one,
//! `{}` standing for a part that varies (a number, a code, another message, which is translated
//! in turn). A message the table does not know is shown in English rather than not at all.

/// The language a client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Bahasa Indonesia, the default.
    #[default]
    Indonesian,
    English,
}

impl Language {
    /// The preferred of Indonesian and English in an `Accept-Language` header (RFC 9110: the
    /// highest `q` wins, ties in the order given); Indonesian when it names neither or is absent.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Language::default();
        };
        let mut best: Option<(f32, Language)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let language = match primary {
                "en" => Language::English,
                "id" | "in" => Language::Indonesian,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, language));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// `message` (an English message id) in this language.
    pub fn translate(self, message: &str) -> String {
        match self {
            Language::English => message.to_string(),
            Language::Indonesian => indonesian(message).unwrap_or_else(|| message.to_string()),
        }
    }
}

/// (English template, Indonesian template). `{}` matches any text, taken as short as possible.
pub const MESSAGES: &[(&str, &str)] = &[
    // accounts
    (
        "an account with this e-mail address exists",
        "sudah ada akun dengan alamat e-mail ini",
    ),
    (
        "an account with this identifier exists",
        "sudah ada akun dengan identitas ini",
    ),
    (
        "an account with this mobile number exists",
        "sudah ada akun dengan nomor HP ini",
    ),
    (
        "give an e-mail address or a mobile number",
        "isi alamat e-mail atau nomor HP",
    ),
    (
        "the refresh token is not valid; sign in again",
        "refresh token tidak berlaku; silakan masuk lagi",
    ),
    (
        "too many failed attempts; try again in 15 minutes",
        "terlalu banyak percobaan gagal; coba lagi 15 menit lagi",
    ),
    (
        "too many registrations from this address; try again in 15 minutes",
        "terlalu banyak pendaftaran dari alamat ini; coba lagi 15 menit lagi",
    ),
    (
        "wrong identifier or password",
        "identitas atau kata sandi salah",
    ),
    ("not a valid e-mail address", "alamat e-mail tidak valid"),
    (
        "an Indonesian mobile number has 10 to 13 digits and starts with 08",
        "nomor HP Indonesia terdiri dari 10 sampai 13 angka dan diawali 08",
    ),
    (
        "an Indonesian mobile number starts with 08 or +628",
        "nomor HP Indonesia diawali 08 atau +628",
    ),
    // lengths and ranges
    ("must be at least {} characters", "minimal {} karakter"),
    ("must be at most {} characters", "maksimal {} karakter"),
    (
        "must be {} to {} characters, e.g. \"pak 250 g\"",
        "harus {} sampai {} karakter, misalnya \"pak 250 g\"",
    ),
    ("must be {} to {} characters", "harus {} sampai {} karakter"),
    ("must be from {} to {} Rupiah", "harus {} sampai {} Rupiah"),
    ("must be from {} to {} grams", "harus {} sampai {} gram"),
    ("must be from {} to {} days", "harus {} sampai {} hari"),
    ("must be from {} to {}", "harus {} sampai {}"),
    ("must be between -{} and {}", "harus antara -{} dan {}"),
    // legal data and onboarding
    (
        "a P-IRT number has 15 digits, e.g. P-IRT 2063513010123-27",
        "nomor P-IRT terdiri dari 15 angka, misalnya P-IRT 2063513010123-27",
    ),
    ("an NIB is exactly 13 digits", "NIB harus tepat 13 angka"),
    (
        "not a halal certificate number, e.g. ID35110000214560323",
        "bukan nomor sertifikat halal, misalnya ID35110000214560323",
    ),
    (
        "not a trademark number, e.g. IDM000912345",
        "bukan nomor merek, misalnya IDM000912345",
    ),
    (
        "a business phone number is required",
        "nomor telepon usaha wajib diisi",
    ),
    (
        "a suspended seller cannot be edited; contact the regency office",
        "penjual yang dibekukan tidak dapat diubah; hubungi kantor kabupaten",
    ),
    (
        "an expiry date needs a certificate number",
        "tanggal kedaluwarsa memerlukan nomor sertifikat",
    ),
    (
        "give a reason of 1 to 1000 characters",
        "isi alasan sepanjang 1 sampai 1000 karakter",
    ),
    (
        "give the certificate's expiry date",
        "isi tanggal kedaluwarsa sertifikat",
    ),
    (
        "no kelurahan/desa has this code (e.g. 35.13.23.2008)",
        "tidak ada kelurahan/desa dengan kode ini (misalnya 35.13.23.2008)",
    ),
    (
        "not possible for a seller that is {}",
        "tidak dapat dilakukan untuk penjual berstatus {}",
    ),
    (
        "the NIB (13 digits) is required",
        "NIB (13 angka) wajib diisi",
    ),
    (
        "the business category is required",
        "kategori usaha wajib diisi",
    ),
    ("the business scale is required", "skala usaha wajib diisi"),
    (
        "the kelurahan/desa code is required",
        "kode kelurahan/desa wajib diisi",
    ),
    (
        "the seller is already verified",
        "penjual sudah terverifikasi",
    ),
    (
        "the seller's data changed since you reviewed it; review it again",
        "data penjual berubah sejak Anda memeriksanya; periksa lagi",
    ),
    (
        "this certificate has already expired",
        "sertifikat ini sudah kedaluwarsa",
    ),
    (
        "you already have {} applications under review or rejected; edit one of them",
        "Anda sudah memiliki {} pengajuan yang sedang diperiksa atau ditolak; ubah salah satunya",
    ),
    // outlets
    (
        "an outlet with code {} exists",
        "sudah ada gerai dengan kode {}",
    ),
    (
        "give the code of the kelurahan or desa, e.g. 35.13.23.2001",
        "isi kode kelurahan atau desa, misalnya 35.13.23.2001",
    ),
    (
        "give the outlet's code, e.g. TGS-K13",
        "isi kode gerai, misalnya TGS-K13",
    ),
    (
        "must be 2 to 32 characters of A-Z, 0-9 and -, e.g. TGS-K13",
        "harus 2 sampai 32 karakter A-Z, 0-9 dan -, misalnya TGS-K13",
    ),
    (
        "must be a day of the week",
        "harus salah satu hari dalam seminggu",
    ),
    (
        "must be a time HH:MM from 00:00 to 23:59",
        "harus jam HH:MM dari 00:00 sampai 23:59",
    ),
    (
        "must be later than the opening time",
        "harus lebih lambat dari jam buka",
    ),
    (
        "there is no kelurahan or desa with code {}",
        "tidak ada kelurahan atau desa dengan kode {}",
    ),
    (
        "this weekday is given more than once",
        "hari ini diisi lebih dari sekali",
    ),
    // products
    (
        "a product is declared halal only with the seller's halal certificate on record",
        "produk hanya dapat dinyatakan halal bila sertifikat halal penjual tercatat",
    ),
    (
        "a seller awaiting verification may keep at most {} unpublished products",
        "penjual yang menunggu verifikasi boleh menyimpan paling banyak {} produk yang belum terbit",
    ),
    (
        "a suspended seller cannot add products",
        "penjual yang dibekukan tidak dapat menambah produk",
    ),
    ("choose a category", "pilih kategori"),
    (
        "give a price in whole Rupiah",
        "isi harga dalam Rupiah bulat",
    ),
    ("no such category", "kategori tidak ditemukan"),
    (
        "only a verified seller can publish products",
        "hanya penjual terverifikasi yang dapat menerbitkan produk",
    ),
    (
        "a food product needs a P-IRT number or a valid halal certificate on record",
        "produk pangan memerlukan nomor P-IRT atau sertifikat halal yang berlaku",
    ),
    (
        "the seller's halal certificate has expired and no P-IRT number is on record; renew the certificate",
        "sertifikat halal penjual sudah kedaluwarsa dan tidak ada nomor P-IRT; perpanjang sertifikatnya",
    ),
    (
        "the product is declared halal but the seller's halal certificate has expired; renew the certificate",
        "produk dinyatakan halal tetapi sertifikat halal penjual sudah kedaluwarsa; perpanjang sertifikatnya",
    ),
    (
        "the product is declared halal but no halal certificate is on record",
        "produk dinyatakan halal tetapi sertifikat halal belum tercatat",
    ),
    (
        "{} (the product is live: unpublish it to change this now)",
        "{} (produk sedang tayang: tarik dulu untuk mengubahnya sekarang)",
    ),
    // photos
    (
        "the file is not a JPEG, PNG or WebP image (other formats are not accepted)",
        "berkas bukan gambar JPEG, PNG atau WebP (format lain tidak diterima)",
    ),
    ("the file is empty", "berkas kosong"),
    (
        "the file is {} bytes; photos may be at most {} bytes",
        "berkas berukuran {} byte; foto paling besar {} byte",
    ),
    (
        "the image is {} pixels; photos may be at most {} pixels a side and {} megapixels",
        "gambar berukuran {} piksel; foto paling besar {} piksel per sisi dan {} megapiksel",
    ),
    (
        "the {} image cannot be read: {}",
        "gambar {} tidak dapat dibaca: {}",
    ),
    (
        "photos are JPEG, PNG or WebP (image/jpeg, image/png, image/webp)",
        "foto berformat JPEG, PNG atau WebP (image/jpeg, image/png, image/webp)",
    ),
    ("a photo is 1 to {} bytes", "ukuran foto 1 sampai {} byte"),
    (
        "the SHA-256 is 64 hexadecimal characters",
        "SHA-256 terdiri dari 64 karakter heksadesimal",
    ),
    (
        "a product has at most {} photos; delete one first",
        "produk paling banyak memiliki {} foto; hapus satu terlebih dahulu",
    ),
    (
        "name exactly one of productId, sellerId and outletId",
        "sebutkan tepat satu dari productId, sellerId dan outletId",
    ),
    (
        "this upload is already completed",
        "unggahan ini sudah selesai",
    ),
    (
        "this upload was refused or has expired; ask for a new one",
        "unggahan ini ditolak atau kedaluwarsa; minta unggahan baru",
    ),
    (
        "this upload has expired; ask for a new one",
        "unggahan ini kedaluwarsa; minta unggahan baru",
    ),
    (
        "nothing was uploaded yet: PUT the bytes to the upload URL first",
        "belum ada yang diunggah: kirim (PUT) berkas ke URL unggahan terlebih dahulu",
    ),
    (
        "{} bytes arrived, {} were declared",
        "{} byte diterima, {} byte dinyatakan",
    ),
    (
        "the bytes do not match the declared SHA-256",
        "isi berkas tidak cocok dengan SHA-256 yang dinyatakan",
    ),
    (
        "alt text is at most {} characters",
        "teks alternatif paling panjang {} karakter",
    ),
    (
        "list every photo of the product exactly once",
        "sebutkan setiap foto produk tepat satu kali",
    ),
    (
        "the file is larger than {} bytes; photos may be at most {} bytes",
        "berkas lebih besar dari {} byte; foto paling besar {} byte",
    ),
];

/// The Indonesian of an English message, when the table knows it.
fn indonesian(message: &str) -> Option<String> {
    MESSAGES.iter().find_map(|(english, indonesian)| {
        let parts = matches(english, message)?;
        let mut out = String::new();
        let mut parts = parts.into_iter();
        let mut pieces = indonesian.split("{}").peekable();
        while let Some(piece) = pieces.next() {
            out.push_str(piece);
            if pieces.peek().is_some() {
                let part = parts.next()?;
                out.push_str(&indonesian_or_same(part));
            }
        }
        Some(out)
    })
}

fn indonesian_or_same(part: &str) -> String {
    indonesian(part).unwrap_or_else(|| part.to_string())
}

/// The parts of `message` that the `{}` of `template` stand for, if it matches.
fn matches<'m>(template: &str, message: &'m str) -> Option<Vec<&'m str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let mut rest = message.strip_prefix(pieces[0])?;
    let mut parts = Vec::new();
    for (i, piece) in pieces.iter().enumerate().skip(1) {
        let last = i == pieces.len() - 1;
        let at = if last {
            if piece.is_empty() {
                rest.len()
            } else {
                rest.strip_suffix(piece).map(str::len)?
            }
        } else {
            rest.find(piece)?
        };
        if at == 0 {
            return None;
        }
        parts.push(&rest[..at]);
        rest = &rest[at + piece.len()..];
    }
    rest.is_empty().then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_chooses_and_indonesian_is_the_default() {
        let of = |h| Language::from_accept_language(Some(h));
        assert_eq!(Language::from_accept_language(None), Language::Indonesian);
        assert_eq!(of("en"), Language::English);
        assert_eq!(of("en-US,en;q=0.9"), Language::English);
        assert_eq!(of("id-ID,id;q=0.9,en;q=0.8"), Language::Indonesian);
        assert_eq!(of("fr, en;q=0.5"), Language::English);
        assert_eq!(of("id;q=0.4, en;q=0.6"), Language::English);
        assert_eq!(of("ja, fr"), Language::Indonesian);
        assert_eq!(of("en;q=0"), Language::Indonesian);
    }

    #[test]
    fn templates_translate_their_parts() {
        let id = Language::Indonesian;
        assert_eq!(
            id.translate("must be 3 to 160 characters"),
            "harus 3 sampai 160 karakter"
        );
        assert_eq!(
            id.translate("an outlet with code TGS-K07 exists"),
            "sudah ada gerai dengan kode TGS-K07"
        );
        assert_eq!(
            id.translate("the product is declared halal but no halal certificate is on record (the product is live: unpublish it to change this now)"),
            "produk dinyatakan halal tetapi sertifikat halal belum tercatat (produk sedang tayang: tarik dulu untuk mengubahnya sekarang)"
        );
        assert_eq!(id.translate("unknown message"), "unknown message");
        assert_eq!(
            Language::English.translate("choose a category"),
            "choose a category"
        );
    }

    #[test]
    fn every_template_has_as_many_parts_in_both_languages() {
        for (en, id) in MESSAGES {
            assert_eq!(en.matches("{}").count(), id.matches("{}").count(), "{en}");
        }
    }
}
