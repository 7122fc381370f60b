// CMediaSocket: the Linux socket calls the media path reads with, which Swift's Glibc module does
// not export (they need _GNU_SOURCE or live in headers it leaves out): an epoll instance polled
// without blocking, and recvmmsg with the kernel's arrival timestamp of each datagram.
//
// Why not NIO's channels: every media leg has its own socket, and at a thousand legs NIO's
// per-datagram read path (a wake-up, a buffer, a pipeline event per packet) was a fifth of the
// server's CPU. The mixer only needs the packets that arrived before each 20 ms tick, so Chorus
// asks the kernel once per tick which sockets have data and reads each in one call.
#ifndef CHORUS_MEDIA_SOCKET_H
#define CHORUS_MEDIA_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// One datagram slot for chorus_receive_datagrams: the caller sets buffer and capacity, the call
/// fills the rest.
typedef struct {
    void *buffer;
    size_t capacity;
    /// Bytes received; a datagram longer than capacity is cut short and flagged truncated.
    size_t length;
    int truncated;
    struct sockaddr_storage source;
    socklen_t source_length;
    /// CLOCK_REALTIME nanoseconds at which the kernel received it, or 0 when it gave none.
    int64_t arrival_realtime_ns;
} chorus_datagram;

/// Creates an epoll instance (close-on-exec). -1 with errno on failure.
int chorus_poller_create(void);

/// Watches `fd` for input (level-triggered); `token` comes back from chorus_poller_ready.
int chorus_poller_add(int poller, int fd, uint64_t token);

/// Stops watching `fd`. Call before closing it.
int chorus_poller_remove(int poller, int fd);

/// The tokens of up to `capacity` watched descriptors with input waiting, without blocking.
/// Returns how many, or -1 with errno.
int chorus_poller_ready(int poller, uint64_t *tokens, int capacity);

/// Asks the kernel to stamp each datagram `fd` receives with its arrival time (SO_TIMESTAMPNS).
int chorus_enable_arrival_timestamps(int fd);

/// Reads up to `count` (at most 16) datagrams waiting on `fd` in one recvmmsg, without blocking.
/// Returns how many, 0 when none was waiting, or -1 with errno for another error.
int chorus_receive_datagrams(int fd, chorus_datagram *datagrams, unsigned count);

#endif
