import ConfigSupport
import NIOCore
import NIOSSL

/// A `tls_server_config` whose certificate, key or CA could not be loaded.
public struct TLSServerMaterialError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "cannot load the server's TLS material: \(reason)" }
}

/// Builds the server's TLS context from a `tls_server_config`, reading the certificate, key
/// and client CA files at that moment (so a reload picks up rotated certificates).
public enum TLSServerContextFactory {
    /// Go's cipher suite names (the IANA names) that BoringSSL offers.
    static let ciphers: [String: NIOTLSCipher] = [
        "TLS_RSA_WITH_AES_128_CBC_SHA": .TLS_RSA_WITH_AES_128_CBC_SHA,
        "TLS_RSA_WITH_AES_256_CBC_SHA": .TLS_RSA_WITH_AES_256_CBC_SHA,
        "TLS_RSA_WITH_AES_128_GCM_SHA256": .TLS_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_RSA_WITH_AES_256_GCM_SHA384": .TLS_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_AES_128_GCM_SHA256": .TLS_AES_128_GCM_SHA256,
        "TLS_AES_256_GCM_SHA384": .TLS_AES_256_GCM_SHA384,
        "TLS_CHACHA20_POLY1305_SHA256": .TLS_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    static func cipher(named name: String) -> NIOTLSCipher? { ciphers[name] }

    static func curve(named name: String) -> NIOTLSCurve? {
        switch name {
        case "X25519": .x25519
        case "CurveP256": .secp256r1
        case "CurveP384": .secp384r1
        case "CurveP521": .secp521r1
        default: nil
        }
    }

    private static func version(_ name: WebConfig.TLSVersionName) -> TLSVersion {
        switch name {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }

    /// The NIOSSL context for `tls`, with its files read now.
    public static func makeContext(_ tls: WebConfig.TLSServer) throws(TLSServerMaterialError) -> NIOSSLContext {
        do {
            let chain: [NIOSSLCertificate]
            if let file = tls.certFile { chain = try NIOSSLCertificate.fromPEMFile(file) } else {
                chain = try NIOSSLCertificate.fromPEMBytes(Array((tls.cert ?? "").utf8))
            }
            guard !chain.isEmpty else { throw TLSServerMaterialError(reason: "no certificate in \(tls.certFile ?? "cert")") }
            let key: NIOSSLPrivateKey
            if let file = tls.keyFile { key = try NIOSSLPrivateKey(file: file, format: .pem) } else {
                key = try NIOSSLPrivateKey(bytes: Array((tls.key?.value ?? "").utf8), format: .pem)
            }
            var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            config.minimumTLSVersion = version(tls.minVersion)
            config.maximumTLSVersion = version(tls.maxVersion)
            if !tls.cipherSuites.isEmpty { config.cipherSuiteValues = tls.cipherSuites.compactMap(cipher(named:)) }
            if !tls.curvePreferences.isEmpty { config.curves = tls.curvePreferences.compactMap(curve(named:)) }
            var clientCAs: [NIOSSLCertificate] = []
            if let file = tls.clientCAFile { clientCAs = try NIOSSLCertificate.fromPEMFile(file) }
            if let pem = tls.clientCA { clientCAs = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) }
            switch tls.clientAuth {
            case .noClientCert:
                config.certificateVerification = .none
            case .requestClientCert:
                config.certificateVerification = .optionalVerification
            case .requireAnyClientCert:
                config.certificateVerification = .noHostnameVerification
            case .verifyClientCertIfGiven:
                config.certificateVerification = .optionalVerification
                config.trustRoots = .certificates(clientCAs)
            case .requireAndVerifyClientCert:
                config.certificateVerification = .noHostnameVerification
                config.trustRoots = .certificates(clientCAs)
            }
            if !clientCAs.isEmpty { config.sendCANameList = true }
            return try NIOSSLContext(configuration: config)
        } catch let error as TLSServerMaterialError {
            throw error
        } catch {
            throw TLSServerMaterialError(reason: "\(error)")
        }
    }
}
