/* sandbox.c - see sandbox.h. */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int write_tmp(const char *content, char *path)
{
    strcpy(path, "/tmp/esock-resolve-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t len = strlen(content);
    int ok = write(fd, content, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

static int bind_over(const char *src, const char *dst)
{
    if (access(dst, F_OK) != 0)
        return 0; /* nothing to replace */
    return mount(src, dst, NULL, MS_BIND, NULL);
}

static int lo_up(void)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return rc;
}

static int child(const sandbox_files_t *f, char paths[3][64], int (*fn)(void))
{
    int flags = CLONE_NEWNS | (f->new_netns ? CLONE_NEWNET : 0);
    if (unshare(flags) != 0)
        return 77;
    /* Keep our bind mounts out of the parent's namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 77;
    if ((f->hosts && bind_over(paths[0], "/etc/hosts") != 0) ||
        (f->resolv && bind_over(paths[1], "/etc/resolv.conf") != 0) ||
        (f->nsswitch && bind_over(paths[2], "/etc/nsswitch.conf") != 0))
        return 77;
    if (f->new_netns && lo_up() != 0)
        return 77;
    return fn();
}

/* Threads of this process, from /proc/self/task (0 if unreadable). */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* An earlier test's lookup worker may still be on its way out (it is
 * detached once its answer is delivered). Fork only when it is gone, up to
 * 2 s: a child forked from a multi-threaded process may not start threads
 * under ThreadSanitizer (it dies with 66), and the child's lookup does. */
static void wait_single_threaded(void)
{
    for (int i = 0; i < 200 && thread_count() > 1; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int sandbox_run(const sandbox_files_t *f, int (*fn)(void), int limit_s)
{
    char paths[3][64] = {{0}};
    const char *src[3] = {f->hosts, f->resolv, f->nsswitch};
    int rc = 99;
    for (int i = 0; i < 3; i++)
        if (src[i] && write_tmp(src[i], paths[i]) != 0)
            goto out;
    fflush(NULL);
    wait_single_threaded();
    pid_t pid = fork();
    if (pid < 0)
        goto out;
    if (pid == 0)
        exit(child(f, paths, fn)); /* exit, not _exit: sanitizers check the child too */
    /* Bounded wait: 10 ms steps up to limit_s. */
    int status = 0;
    for (int i = 0; i < limit_s * 100; i++) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : 98;
            goto out;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    rc = 97;
out:
    for (int i = 0; i < 3; i++)
        if (paths[i][0])
            unlink(paths[i]);
    return rc;
}
