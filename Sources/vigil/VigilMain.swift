import NIOCore
import NIOPosix

/// The process entry point: makes SwiftNIO's event loops Swift Concurrency's global executor,
/// then parses the command line.
///
/// Without this, every HTTP request crosses threads twice: the event loop that read it hands
/// the handler to the cooperative pool, and the response goes back to the event loop to be
/// written. On a small machine those two wake-ups are a fifth of a millisecond — as much as a
/// small dashboard query costs. With NIO's event loop group as the global executor a task
/// started on an event loop stays on it. Blocking work (WAL writes, snapshots) is no worse off:
/// it occupied a thread of the cooperative pool before, which is equally forbidden territory.
@main
enum VigilMain {
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await VigilCommand.main()
    }
}
