import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` (the git commit the binary is built from) before every build of the target that uses it.
///
/// A prebuild command, because only those run on every build: a commit changes without any source file changing.
/// The script rewrites the file only when its text changes, so an incremental build without a new commit compiles
/// nothing more than before. Outside a git checkout (a source tarball) the commit is "unknown".
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo")
        return [.prebuildCommand(
            displayName: "Recording the git commit in BuildInfo.swift",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", Self.script, "build-info", context.package.directoryURL.path, output.path],
            outputFilesDirectory: output
        )]
    }

    /// $1: the package directory, $2: the output directory. `safe.directory` because CI builds a clone owned by
    /// another user as root, where git otherwise refuses to read the repository.
    static let script = #"""
        set -u
        dir=$1; out=$2
        mkdir -p "$out"
        commit=$(command git -c safe.directory='*' -C "$dir" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
        if [ "$commit" != unknown ] && [ -n "$(command git -c safe.directory='*' -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
          commit="$commit-dirty"
        fi
        printf '%s\n' \
          '// Generated before each build by Plugins/BuildInfoPlugin. DO NOT EDIT.' \
          '' \
          '/// Facts about this build that only the build knows.' \
          'enum BuildInfo {' \
          '    /// The git commit the binary was built from (`-dirty`: with uncommitted changes), or "unknown".' \
          "    static let commit = \"$commit\"" \
          '}' > "$out/BuildInfo.swift.new"
        if cmp -s "$out/BuildInfo.swift.new" "$out/BuildInfo.swift"; then rm -f "$out/BuildInfo.swift.new"
        else mv "$out/BuildInfo.swift.new" "$out/BuildInfo.swift"; fi
        """#
}
