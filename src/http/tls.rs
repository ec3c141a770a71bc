//! The receiver's own HTTPS (`ingest --tls-cert PEM --tls-key PEM`): the
//! certificate chain and key read from PEM files into a rustls acceptor with
//! the ring provider, the one the rest of the tool uses. Reads files; never prints.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::error::{Error, Result};

/// An acceptor for the chain in `cert` (leaf first) and the key in `key`.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor> {
    let unreadable = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        Error::input(format!("cannot read the TLS {what} {}: {e}", path.display()))
            .with_hint("give PEM files: --tls-cert the certificate chain (leaf first), --tls-key its private key")
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| unreadable("certificate", cert, &e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| unreadable("certificate", cert, &e))?;
    if chain.is_empty() {
        return Err(unreadable(
            "certificate",
            cert,
            &"no CERTIFICATE block in it",
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| unreadable("key", key, &e))?;
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
