import ArgumentParser
import Foundation
import WebSecurity

/// `vigil hash-password`: prints a bcrypt hash of a password for `basic_auth_users` in the web
/// configuration. The password is read from standard input (a terminal does not echo it), so
/// it never appears in the shell history or the process list.
struct HashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a bcrypt hash of a password (read from standard input) for basic_auth_users."
    )

    @Option(name: .long, help: "bcrypt cost (log2 of the rounds), 4 to 31; each step doubles the work.")
    var cost = 10

    func validate() throws {
        guard BcryptHash.costs.contains(cost) else { throw ValidationError("--cost must be between 4 and 31") }
    }

    func run() throws {
        let password: String
        if isatty(STDIN_FILENO) != 0 {
            guard let typed = getpass("Password: ") else { throw ExitCode(1) }
            password = String(cString: typed)
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.hasSuffix("\r") { text.removeLast() }
            password = text
        }
        guard !password.isEmpty else { throw ValidationError("the password is empty") }
        guard let hash = BcryptHash.hash(password, cost: cost) else {
            throw ValidationError("bcrypt reads at most 72 bytes of a password")
        }
        print(hash)
    }
}
