#ifndef SCHEDLAB_CSPAWN_H
#define SCHEDLAB_CSPAWN_H

#include <sys/types.h>

/// Starts `argv[0]` (searched on PATH when it has no slash) with `argv`, in directory `cwd` (NULL: this process's),
/// with its standard input, output and error on the given descriptors and no other descriptor of this process
/// (glibc 2.34 or newer; elsewhere, only those without close-on-exec leak). Returns 0 and the child's pid, or an errno value (the child was not
/// started: the program was not found, is not executable, or `cwd` does not exist).
int cspawn_start(char *const argv[], const char *cwd, int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);

/// Sets close-on-exec on `fd`; 0 on success, else an errno value.
int cspawn_cloexec(int fd);

#endif
