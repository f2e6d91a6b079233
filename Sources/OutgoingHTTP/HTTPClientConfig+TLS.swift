import ConfigSupport
import NIOSSL

/// A `tls_config` whose certificate or key could not be loaded.
public struct TLSMaterialError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "cannot load TLS material: \(reason)" }
}

extension HTTPClientConfig.TLSConfig {
    /// The client TLS configuration this `tls_config` describes: trust roots from `ca`/`ca_file`
    /// (the system's otherwise), a client certificate, and `insecure_skip_verify`.
    public func makeClientConfiguration() throws(TLSMaterialError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecureSkipVerify { tls.certificateVerification = .none }
        do {
            if let ca = caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            if let ca { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8))) }
            if let cert = certFile { tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) } }
            if let cert { tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cert.utf8)).map { .certificate($0) } }
            if let key = keyFile { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) }
            if let key { tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.value.utf8), format: .pem)) }
        } catch {
            throw TLSMaterialError(reason: "\(error)")
        }
        switch minVersion {
        case "TLS10": tls.minimumTLSVersion = .tlsv1
        case "TLS11": tls.minimumTLSVersion = .tlsv11
        case "TLS12": tls.minimumTLSVersion = .tlsv12
        case "TLS13": tls.minimumTLSVersion = .tlsv13
        default: break
        }
        return tls
    }
}
