//! The receiver's own HTTPS (`ingest --tls-cert PEM --tls-key PEM`): the
//! certificate chain and key read from PEM files into a rustls acceptor with
//! the ring provider, the one the rest of the tool uses. Reads files; never prints.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::error::{Error, Result};

/// The largest PEM file read: a chain is a few KiB. A larger one (`/dev/zero`,
/// a file picked by mistake) is an input error, not memory without end.
const MAX_PEM: u64 = 1024 * 1024;

/// An acceptor for the chain in `cert` (leaf first) and the key in `key`.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor> {
    let unreadable = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        Error::input(format!("cannot read the TLS {what} {}: {e}", path.display()))
            .with_hint("give PEM files: --tls-cert the certificate chain (leaf first), --tls-key its private key")
    };
    let cert_pem = read_pem(cert).map_err(|e| unreadable("certificate", cert, &e))?;
    let key_pem = read_pem(key).map_err(|e| unreadable("key", key, &e))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| unreadable("certificate", cert, &e))?;
    if chain.is_empty() {
        return Err(unreadable(
            "certificate",
            cert,
            &"no CERTIFICATE block in it",
        ));
    }
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| unreadable("key", key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::failed(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| {
            Error::input(format!(
                "the TLS key {} does not fit the certificate {}: {e}",
                key.display(),
                cert.display()
            ))
        })?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A PEM file's bytes, at most [`MAX_PEM`] of them.
fn read_pem(path: &Path) -> std::result::Result<Vec<u8>, String> {
    std::fs::File::open(path)
        .and_then(|file| crate::input::read_at_most(file, MAX_PEM))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("it is larger than {} MiB", MAX_PEM >> 20))
}
