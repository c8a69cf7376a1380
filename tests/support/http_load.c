/* Parallel HTTP requests, timed one by one: TOTAL GETs of / on ADDRESS:PORT (a numeric IPv4 or
 * IPv6 address), CONCURRENCY at a time, each on a new connection (connect, request, read to the
 * end; a request with no progress for 30 s is counted as failed, not waited for). Prints one line:
 *   n=200 c=50 ok=200 median_ms=.. p95_ms=.. p99_ms=.. max_ms=.. over_500ms=..
 * Static, so the same program measures from the host and from inside the guest (in a container on
 * the guest's network). Usage: http-load ADDRESS PORT TOTAL CONCURRENCY */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_storage target;
static socklen_t targetLength;
static int total;
static int next;
static double* times;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds one request took, or -1 when it failed. */
static double request(void)
{
    const double start = now();
    int fd = socket(target.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    /* A connection lost on the way (QEMU's user network under emulation can drop one) must end
     * the run as a failed request rather than stall it. */
    const struct timeval limit = {30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    static const char get[] = "GET / HTTP/1.0\r\nHost: load\r\n\r\n";
    int ok = connect(fd, (struct sockaddr*)&target, targetLength) == 0 &&
             write(fd, get, sizeof get - 1) == (ssize_t)(sizeof get - 1);
    size_t got = 0;
    char buffer[4096];
    ssize_t n;
    while (ok && (n = read(fd, buffer, sizeof buffer)) > 0)
        got += (size_t)n;
    close(fd);
    return ok && got > 0 ? now() - start : -1;
}

static void* worker(void* unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&lock);
        const int mine = next < total ? next++ : -1;
        pthread_mutex_unlock(&lock);
        if (mine < 0)
            return NULL;
        times[mine] = request();
    }
}

static int ascending(const void* a, const void* b)
{
    const double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: http-load ADDRESS PORT TOTAL CONCURRENCY\n");
        return 2;
    }
    const unsigned short port = (unsigned short)atoi(argv[2]);
    struct sockaddr_in* v4 = (struct sockaddr_in*)&target;
    struct sockaddr_in6* v6 = (struct sockaddr_in6*)&target;
    if (inet_pton(AF_INET, argv[1], &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        targetLength = sizeof *v4;
    } else if (inet_pton(AF_INET6, argv[1], &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        targetLength = sizeof *v6;
    } else {
        fprintf(stderr, "http-load: '%s' is not a numeric IPv4 or IPv6 address\n", argv[1]);
        return 2;
    }
    total = atoi(argv[3]);
    int concurrency = atoi(argv[4]);
    if (total <= 0 || concurrency <= 0 || concurrency > 1000) {
        fprintf(stderr, "http-load: TOTAL must be positive and CONCURRENCY from 1 to 1000\n");
        return 2;
    }
    times = calloc((size_t)total, sizeof *times);
    pthread_t threads[1000];
    for (int i = 0; i < concurrency; ++i)
        pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < concurrency; ++i)
        pthread_join(threads[i], NULL);

    int ok = 0, over = 0;
    for (int i = 0; i < total; ++i) {
        if (times[i] >= 0)
            times[ok++] = times[i];
    }
    qsort(times, (size_t)ok, sizeof *times, ascending);
    for (int i = 0; i < ok; ++i)
        over += times[i] > 0.5;
#define AT(q) (ok ? times[(int)((q) * (ok - 1) + 0.5)] * 1000 : 0)
    printf("n=%d c=%d ok=%d median_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f over_500ms=%d\n", total, concurrency, ok,
           AT(0.5), AT(0.95), AT(0.99), AT(1.0), over);
    return ok == total ? 0 : 1;
}
