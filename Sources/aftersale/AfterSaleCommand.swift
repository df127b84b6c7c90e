import ArgumentParser
import Foundation
import RPCShared

/// The `aftersale` command: debugging client, servers and tools.
@main
struct AfterSaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aftersale",
        abstract: "AfterSale: the after-sale backend (returns, refunds, exchanges, repairs) and its tools.",
        discussion: """
            Exit status: 0 OK; 1–16 a call failed with that status code (5 NOT_FOUND, 9 FAILED_PRECONDITION, …); \
            64 usage error, 65 bad input data, 66 missing input file, 69 cannot connect (or not SERVING), \
            70 internal error, 73 cannot write output, 75 try again later, 78 configuration error (docs/CLI.md).
            """,
        version: VersionInfo.text,
        subcommands: [CallCommand.self, ListCommand.self, DescribeCommand.self, HealthCommand.self, ProtoCommand.self,
                      ServeCommand.self, GatewayCommand.self, ReportingCommand.self, TokenCommand.self, UpCommand.self,
                      SeedCommand.self, DemoCommand.self]
    )

    /// Usage errors print usage and exit 64; anything that fails while running is one line on stderr with the
    /// status ``ExitStatus`` assigns.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            fail("\(failure)", code: failure.exitCode)
        } catch let failure as CLIError {
            fail("\(failure)", code: failure.status.rawValue)
        } catch let error as RPCError {
            // A call made by a workflow command (seed, demo, up) that did not wrap it: reported like `call`'s.
            let failure = CLIFailure(error)
            fail("\(failure)", code: failure.exitCode)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            // `--help`, `help <command>` and validation errors surface from run() (ArgumentParser's HelpCommand);
            // they print help or usage (exit 0 or 64). Everything else is a one-line failure.
            if exitCode(for: error) != .failure { exit(withError: error) }
            fail("\(error)", code: status(for: error).rawValue)
        }
    }

    /// Errors from the libraries that reach here unclassified: bad input is data; the rest is a bug.
    private static func status(for error: any Error) -> ExitStatus {
        error is JSONDecodingError || error is ProtoDecodingError ? .dataError : .software
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("aftersale: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
