//! Reading the files a user names in a property (timelines, shaders, images) without trusting
//! them: only regular files (a FIFO would block the state change, a device never ends), and no
//! more than a stated size. Pure: no GStreamer.

use std::io::Read;

/// The most bytes a timeline or shader file may have.
pub const TEXT_LIMIT: u64 = 16 * 1024 * 1024;
/// The most bytes an image file may have.
pub const IMAGE_FILE_LIMIT: u64 = 256 * 1024 * 1024;

/// Reads all of `path` (a regular file of at most `limit` bytes); `what` names it in errors,
/// e.g. "timeline".
pub fn read_bytes(path: &str, what: &str, limit: u64) -> Result<Vec<u8>, String> {
    // stat first: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(|e| format!("{what} {path}: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{what} {path} is not a regular file (a FIFO, device or directory cannot be read)"
        ));
    }
    let too_big = |size: u64| {
        format!(
            "{what} {path} is {size} bytes, over the limit of {limit} bytes ({} MiB)",
            limit / (1024 * 1024)
        )
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{what} {path}: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between stat and read: never read past the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{what} {path}: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads `path` as UTF-8 text (see [`read_bytes`]).
pub fn read_text(path: &str, what: &str, limit: u64) -> Result<String, String> {
    let bytes = read_bytes(path, what, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{what} {path}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_and_large_files_are_refused() {
        let e = read_text("/dev/zero", "timeline", TEXT_LIMIT).unwrap_err();
        assert!(
            e.contains("/dev/zero") && e.contains("not a regular file"),
            "{e}"
        );
        let e = read_text("/", "timeline", TEXT_LIMIT).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        let dir = std::env::temp_dir().join(format!("pc-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.json");
        std::fs::write(&big, vec![b' '; 2048]).unwrap();
        let path = big.to_str().unwrap();
        let e = read_text(path, "timeline", 1024).unwrap_err();
        assert!(
            e.contains(path) && e.contains("2048 bytes") && e.contains("limit of 1024"),
            "{e}"
        );
        assert_eq!(read_text(path, "timeline", 4096).unwrap().len(), 2048);
        let bad = dir.join("bad.json");
        std::fs::write(&bad, [b'{', 0xff, b'}']).unwrap();
        let e = read_text(bad.to_str().unwrap(), "timeline", 4096).unwrap_err();
        assert!(e.contains("not UTF-8") && e.contains("offset 1"), "{e}");
        let e = read_text("/nonexistent/x.json", "timeline", 4096).unwrap_err();
        assert!(e.contains("/nonexistent/x.json"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = std::env::temp_dir().join(format!("pc-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "mkfifo (coreutils) makes a FIFO"
        );
        let e = read_text(fifo.to_str().unwrap(), "timeline", TEXT_LIMIT).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
