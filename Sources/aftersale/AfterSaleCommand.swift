import ArgumentParser
import Foundation

/// The `aftersale` command: debugging client, servers and tools.
@main
struct AfterSaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aftersale",
        abstract: "AfterSale: the after-sale backend (returns, refunds, exchanges, repairs) and its tools.",
        subcommands: [CallCommand.self, ListCommand.self, DescribeCommand.self, HealthCommand.self, ProtoCommand.self,
                      ServeCommand.self, GatewayCommand.self, OrderCommand.self, ProductCommand.self, CustomerCommand.self,
                      LogisticsCommand.self, ReportingCommand.self, TokenCommand.self, UpCommand.self, SeedCommand.self,
                      DemoCommand.self]
    )

    /// Usage errors print usage; anything that fails while running is one line on stderr, and a failed call
    /// exits with its status code.
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
            fail("\(failure)", code: failure.error.code.rawValue)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            // `--help`, `help <command>` and validation errors surface from run() (ArgumentParser's HelpCommand);
            // they print help or usage. Everything else is a one-line failure.
            if exitCode(for: error) != .failure { exit(withError: error) }
            fail("\(error)", code: 1)
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("aftersale: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
