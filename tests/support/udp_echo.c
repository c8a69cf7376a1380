/* A UDP echo server for the published-port tests: answers every datagram on PORT with the same
 * bytes. Linked statically so it runs in a busybox container. Usage: udp-echo PORT */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char** argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: udp-echo PORT\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
        perror("udp-echo: bind");
        return 1;
    }
    printf("udp-echo: listening on %s/udp\n", argv[1]);
    fflush(stdout);
    for (;;) {
        char buffer[65536];
        struct sockaddr_in peer;
        socklen_t peerLength = sizeof peer;
        ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr*)&peer, &peerLength);
        if (n >= 0)
            sendto(fd, buffer, (size_t)n, 0, (struct sockaddr*)&peer, peerLength);
    }
}
