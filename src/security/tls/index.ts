/** TLS: certificates for the API (`keel tls self-signed`), and loading and checking the configured files. */
export { createCertificate, selfSignedCertificate, type CertificateOptions, type CertificatePair } from './certificate.ts';
export { loadServerTls, loadCaFile, type TlsFiles, type ServerTls } from './tls-files.ts';
export { writeCertificatePair } from './write-certificate.ts';
