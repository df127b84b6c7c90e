#ifndef AFTERSALE_CSPAWN_H
#define AFTERSALE_CSPAWN_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated), the child's standard input, output and error taken from
/// `in_fd`, `out_fd`, `err_fd` (-1: inherit), every other descriptor closed in the child, signals reset.
/// Returns 0 and sets `*pid`, or an errno value.
int aftersale_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int in_fd, int out_fd, int err_fd);

#endif
