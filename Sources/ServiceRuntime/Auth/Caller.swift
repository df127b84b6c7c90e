/// The authenticated caller of the call being handled, set by ``AuthInterceptor`` for the handler's task.
///
/// ```swift
/// guard let caller = Caller.current else { … }   // nil only for open methods or with --insecure-no-auth
/// ```
public enum Caller {
    @TaskLocal public static var current: AccessToken?
}
