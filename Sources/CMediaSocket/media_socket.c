#define _GNU_SOURCE
#include "chorus_media_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

enum { max_batch = 16 };

int chorus_poller_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int chorus_poller_add(int poller, int fd, uint64_t token) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = token};
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int chorus_poller_remove(int poller, int fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(poller, EPOLL_CTL_DEL, fd, &unused);
}

int chorus_poller_ready(int poller, uint64_t *tokens, int capacity) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int ready;
    do {
        ready = epoll_wait(poller, events, capacity, 0);
    } while (ready < 0 && errno == EINTR);
    for (int index = 0; index < ready; index++) tokens[index] = events[index].data.u64;
    return ready;
}

int chorus_enable_arrival_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

int chorus_receive_datagrams(int fd, chorus_datagram *datagrams, unsigned count) {
    if (count > max_batch) count = max_batch;
    struct mmsghdr messages[max_batch];
    struct iovec vectors[max_batch];
    // Room for one timespec control message per datagram.
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control[max_batch];
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned index = 0; index < count; index++) {
        vectors[index].iov_base = datagrams[index].buffer;
        vectors[index].iov_len = datagrams[index].capacity;
        struct msghdr *header = &messages[index].msg_hdr;
        header->msg_name = &datagrams[index].source;
        header->msg_namelen = sizeof(struct sockaddr_storage);
        header->msg_iov = &vectors[index];
        header->msg_iovlen = 1;
        header->msg_control = control[index].bytes;
        header->msg_controllen = sizeof control[index].bytes;
    }
    int received;
    do {
        received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int index = 0; index < received; index++) {
        struct msghdr *header = &messages[index].msg_hdr;
        chorus_datagram *datagram = &datagrams[index];
        datagram->length = messages[index].msg_len;
        datagram->truncated = (header->msg_flags & MSG_TRUNC) != 0;
        datagram->source_length = header->msg_namelen;
        datagram->arrival_realtime_ns = 0;
        for (struct cmsghdr *item = CMSG_FIRSTHDR(header); item != NULL; item = CMSG_NXTHDR(header, item)) {
            if (item->cmsg_level == SOL_SOCKET && item->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(item), sizeof stamp);
                datagram->arrival_realtime_ns = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
            }
        }
    }
    return received;
}
