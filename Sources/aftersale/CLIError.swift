/// A problem the CLI reports as one line, exiting with `status` (a usage error unless said otherwise).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let status: ExitStatus

    init(_ description: String, status: ExitStatus = .usage) {
        self.description = description
        self.status = status
    }
}
