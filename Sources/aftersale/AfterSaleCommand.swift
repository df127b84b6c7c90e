import ArgumentParser

/// The `aftersale` command: debugging client, servers and tools. Subcommands arrive with the issues that need them.
@main
struct AfterSaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aftersale",
        abstract: "AfterSale: the after-sale backend (returns, refunds, exchanges, repairs) and its tools.",
        subcommands: [ProtoCommand.self]
    )
}
