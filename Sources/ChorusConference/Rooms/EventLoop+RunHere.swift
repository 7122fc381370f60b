import NIOCore

extension EventLoop {
    /// Runs `body` at once when called on this loop, else enqueues it there. A room and its legs
    /// may share a loop or not (large rooms spread their legs over loops): work for the other side
    /// goes through here, so that on a shared loop it happens now and in order.
    func runHereOrEnqueue(_ body: @escaping @Sendable () -> Void) {
        if inEventLoop { body() } else { execute(body) }
    }
}
