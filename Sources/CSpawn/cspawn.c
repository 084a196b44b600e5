/*
 * CSpawn: posix_spawnp with a working directory. Swift's Glibc module does not import the GNU extension
 * posix_spawn_file_actions_addchdir_np (glibc >= 2.29; macOS has it since 10.15), so the spawn lives here.
 * posix_spawn rather than fork: the parent may be large (a simulation with millions of jobs), and glibc's
 * posix_spawn uses a vfork-like clone that copies no page tables and reports exec failures as its return value.
 */
#define _GNU_SOURCE
#include "cspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

int cspawn_start(char *const argv[], const char *cwd, int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    /* dup2 onto 0, 1, 2 clears close-on-exec on the copies; the originals are close-on-exec and vanish at exec. */
    if ((rc = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2)) != 0 ||
        (cwd != NULL && (rc = posix_spawn_file_actions_addchdir_np(&actions, cwd)) != 0)
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        /* Nothing else of this process's reaches the child (a results database, another child's pipes), whether or
         * not its opener set close-on-exec. */
        || (rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) != 0
#endif
        ) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    posix_spawnattr_t attributes;
    if ((rc = posix_spawnattr_init(&attributes)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    /* The child starts with default signal dispositions (SIGPIPE included, which this process may ignore). */
    sigset_t all;
    sigfillset(&all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    rc = posix_spawnp(pid, argv[0], &actions, &attributes, argv, environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int cspawn_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) return errno;
    return 0;
}
