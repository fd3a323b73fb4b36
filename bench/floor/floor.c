/*
 * The floor of a fan-out on this machine: the CPU a writer spends to write small frames to many loopback TCP
 * sockets, one write(2) per frame, or several frames per write(2) (what a server that flushes a socket once for
 * several queued frames pays). A reader process drains every socket on another core, so the writer's CPU time is
 * the kernel's TCP and loopback send work plus the call itself.
 *
 * Usage: floor [sockets=1000] [frameBytes=100] [writes=2000000] [framesPerWrite=1]
 * Prints one JSON line. Pin it like the benchmark: taskset -c 0 ./floor (the reader pins itself to core 1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  sched_setaffinity(0, sizeof set, &set); /* best effort: a 1-core machine keeps both on core 0 */
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int frame = argc > 2 ? atoi(argv[2]) : 100;
  long writes = argc > 3 ? atol(argv[3]) : 2000000;
  int batch = argc > 4 ? atoi(argv[4]) : 1;

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, len) || listen(listener, 4096)) die("listen");
  getsockname(listener, (struct sockaddr *)&addr, &len);

  int *clients = malloc(n * sizeof(int)), *servers = malloc(n * sizeof(int));
  for (int i = 0; i < n; i++) {
    clients[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(clients[i], (struct sockaddr *)&addr, len)) die("connect");
    servers[i] = accept(listener, NULL, NULL);
    if (servers[i] < 0) die("accept");
    int one = 1;
    setsockopt(servers[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as Netty does */
  }

  pid_t reader = fork();
  if (reader == 0) { /* drain every client socket until killed */
    pin(1);
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
      struct epoll_event ev = {.events = EPOLLIN, .data.fd = clients[i]};
      epoll_ctl(ep, EPOLL_CTL_ADD, clients[i], &ev);
    }
    static char sink[65536];
    struct epoll_event events[256];
    for (;;) {
      int ready = epoll_wait(ep, events, 256, -1);
      for (int i = 0; i < ready; i++) {
        while (read(events[i].data.fd, sink, sizeof sink) == sizeof sink) {
        }
      }
    }
  }
  pin(0);

  char *buf = malloc((size_t)frame * batch);
  memset(buf, 'x', (size_t)frame * batch);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double cpu0 = cpu_seconds();
  long calls = writes / batch;
  for (long w = 0; w < calls; w++) {
    if (write(servers[w % n], buf, (size_t)frame * batch) < 0) die("write");
  }
  double cpu = cpu_seconds() - cpu0;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  kill(reader, SIGKILL);
  waitpid(reader, NULL, 0);
  double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"sockets\":%d,\"frameBytes\":%d,\"framesPerWrite\":%d,\"frames\":%ld,\"cpuS\":%.3f,\"wallS\":%.3f,"
         "\"cpuUsPerFrame\":%.2f,\"cpuUsPerWrite\":%.2f}\n",
         n, frame, batch, calls * batch, cpu, wall, cpu * 1e6 / (calls * batch), cpu * 1e6 / calls);
  return 0;
}
