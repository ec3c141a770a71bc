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
        Error::input(format!(
            "cannot read the TLS {what} {}: {e}",
            path.display()
        ))
        .with_hint(PEM_HINT)
    };
    let cert_pem = read_pem("certificate", cert)?;
    let key_pem = read_pem("key", key)?;
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

/// The hint for a TLS file that is not what `--tls-cert` and `--tls-key` take.
const PEM_HINT: &str =
    "give PEM files: --tls-cert the certificate chain (leaf first), --tls-key its private key";

/// The bytes of the PEM file `path` (the TLS `what`), at most [`MAX_PEM`] of them.
fn read_pem(what: &str, path: &Path) -> Result<Vec<u8>> {
    let name = format_args!("the TLS {what} {}", path.display());
    let cannot = |e: std::io::Error| {
        let error = crate::input::cannot_read(name, &e);
        // A FIFO's hint, when there is one, is the one that helps.
        let pem = error.hint.is_none().then_some(PEM_HINT);
        error.with_hint_if(pem)
    };
    crate::input::read_file_at_most(path, MAX_PEM)
        .map_err(cannot)?
        .ok_or_else(|| {
            Error::input(format!(
                "cannot read {name}: it is larger than {} MiB",
                MAX_PEM >> 20
            ))
            .with_hint(PEM_HINT)
        })
}
