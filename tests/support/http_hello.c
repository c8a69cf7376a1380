/* A small HTTP server for the published-port load tests: answers every request on PORT with
 * "hello\n" and closes. It listens with a queue of 1024, as nginx or node servers do (busybox
 * httpd asks for 9, so parallel connections would measure its queue, not the path to it). One
 * thread, poll(). Linked statically so it runs in a busybox container. Usage: http-hello PORT */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 1024

static const char answer[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";

struct client {
    int fd;
    size_t seen; /* bytes of "\r\n\r\n" matched so far */
};

int main(int argc, char** argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: http-hello PORT\n");
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 1024) != 0) {
        perror("http-hello: listen");
        return 1;
    }
    fcntl(listener, F_SETFL, O_NONBLOCK);
    printf("http-hello: listening on %s/tcp\n", argv[1]);
    fflush(stdout);

    static struct client clients[MAX_CLIENTS];
    static struct pollfd fds[MAX_CLIENTS + 1];
    size_t count = 0;
    for (;;) {
        fds[0].fd = listener;
        fds[0].events = count < MAX_CLIENTS ? POLLIN : 0;
        for (size_t i = 0; i < count; ++i) {
            fds[i + 1].fd = clients[i].fd;
            fds[i + 1].events = POLLIN;
            fds[i + 1].revents = 0;
        }
        if (poll(fds, count + 1, -1) < 0 && errno != EINTR)
            return 1;
        for (size_t i = count; i-- > 0;) {
            if (!fds[i + 1].revents)
                continue;
            char buffer[4096];
            ssize_t n = read(clients[i].fd, buffer, sizeof buffer);
            int done = n <= 0;
            for (ssize_t k = 0; k < n && !done; ++k) {
                clients[i].seen = buffer[k] == "\r\n\r\n"[clients[i].seen] ? clients[i].seen + 1
                                  : buffer[k] == '\r'                      ? 1
                                                                           : 0;
                if (clients[i].seen == 4) {
                    /* Small enough for the socket's buffer: one write. */
                    if (write(clients[i].fd, answer, sizeof answer - 1) < 0) {
                    }
                    done = 1;
                }
            }
            if (done) {
                close(clients[i].fd);
                clients[i] = clients[--count];
            }
        }
        if (fds[0].revents & POLLIN) {
            int fd;
            while (count < MAX_CLIENTS && (fd = accept(listener, NULL, NULL)) >= 0) {
                clients[count].fd = fd;
                clients[count].seen = 0;
                ++count;
            }
        }
    }
}
