import Foundation

/// A certificate authority, a server certificate for 127.0.0.1 and client certificates, made
/// with openssl for one test.
struct TestPKI {
    let dir: String
    var caCert: String { dir + "/ca.crt" }
    var serverCert: String { dir + "/server.crt" }
    var serverKey: String { dir + "/server.key" }
    /// Signed by the CA, SAN `DNS:grafana.test`.
    var clientCert: String { dir + "/client.crt" }
    var clientKey: String { dir + "/client.key" }
    /// Signed by the CA, SAN `DNS:other.test`.
    var otherClientCert: String { dir + "/other.crt" }
    var otherClientKey: String { dir + "/other.key" }
    /// Signed by a different CA.
    var rogueClientCert: String { dir + "/rogue.crt" }
    var rogueClientKey: String { dir + "/rogue.key" }

    init(in dir: String) throws {
        self.dir = dir
        let script = """
            set -e
            cd '\(dir)'
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
            ca() { key "$1.key"; openssl req -x509 -new -key "$1.key" -days 2 -subj "/CN=$1" -out "$1.crt"; }
            leaf() { # name CA SAN
              key "$1.key"
              openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
              printf 'subjectAltName=%s\\n' "$3" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
            }
            ca ca; ca rogueca
            leaf server ca IP:127.0.0.1
            leaf client ca DNS:grafana.test
            leaf other ca DNS:other.test
            leaf rogue rogueca DNS:grafana.test
            """
        let result = try runTool("/bin/bash", ["-c", script])
        guard result.status == 0 else { throw PeerError("openssl failed: \(result.output)") }
    }
}
