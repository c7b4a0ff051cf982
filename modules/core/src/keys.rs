//! Building and reading store keys: every module's keys are a prefix followed by fixed-width
//! parts (20-byte addresses, big-endian integers).

use crate::Address;

/// `prefix ‖ parts…`.
pub fn join(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

/// The 20-byte address at `skip` bytes into `key`, when the key is long enough.
pub fn addr_at(key: &[u8], skip: usize) -> Option<Address> {
    key.get(skip..skip.checked_add(20)?)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_reads_back_an_address() {
        let op = Address([7; 20]);
        let key = join(b"p/", &[&op, &[1, 2]]);
        assert_eq!(addr_at(&key, 2), Some(op));
        assert_eq!(addr_at(&key, 5), None);
        assert_eq!(addr_at(&key, usize::MAX), None);
    }
}
