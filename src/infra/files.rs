//! Files that hold secrets or private data (the generated development JWT secret, the SQLite
//! database): readable by the server's own user only, in folders it creates as 0700.

use std::{io::Write, path::Path};

/// Creates `dir` and its missing parents as 0700 (folders that exist keep their mode).
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` as an empty 0600 file when it does not exist yet; an existing file is left as
/// it is.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    match private_options().open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

/// Writes a new 0600 file at `path`; fails when it exists (never widens or reuses another file).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    private_options().open(path)?.write_all(contents)
}

fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn private_files_and_folders_are_owner_only() {
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let root = std::env::temp_dir().join(format!("pasar-oleh-files-{}", uuid::Uuid::now_v7()));
        let dir = root.join("data");
        create_private_dir_all(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let secret = dir.join("jwt-secret");
        write_private(&secret, b"x").unwrap();
        assert_eq!(mode(&secret), 0o600);
        assert!(write_private(&secret, b"y").is_err(), "never overwrites");
        let db = dir.join("pasar-oleh.db");
        create_private_file(&db).unwrap();
        create_private_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        std::fs::remove_dir_all(root).unwrap();
    }
}
