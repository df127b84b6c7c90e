import Dispatch
import Foundation

/// Lets a service started by `aftersale up` stop when `up` itself is gone without stopping it (killed with
/// SIGKILL, crashed): it checks once a second whether its parent is still the supervisor, and if not sends itself
/// SIGTERM — the same graceful drain as a normal stop. Nothing happens outside `up` (the variable is unset).
enum SupervisorWatch {
    static let variable = "AFTERSALE_SUPERVISOR_PID"

    static func startIfSupervised(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let text = environment[variable], let supervisor = Int32(text), supervisor > 1 else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .seconds(1))
        // The handler holds the timer (a deliberate cycle): it lives as long as the process.
        timer.setEventHandler {
            guard getppid() != supervisor else { return }
            timer.cancel()
            kill(getpid(), SIGTERM)
        }
        timer.resume()
    }
}
