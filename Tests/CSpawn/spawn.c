// Test processes are started with posix_spawn rather than Foundation's Process: on Linux, swift-corelibs-foundation
// 6.3.1's Process.run() scans /proc/self/fd with a 256-byte over-read of each dirent
// (swiftlang/swift-corelibs-foundation#5472, fixed upstream after 6.3) and crashes the test process now and then
// once it has many descriptors open. posix_spawn_file_actions_addclosefrom_np (glibc 2.34) closes the child's
// descriptors without that scan.
#define _GNU_SOURCE
#include "CSpawn.h"
#include <signal.h>
#include <spawn.h>

int aftersale_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                    int in_fd, int out_fd, int err_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }
    if (in_fd >= 0) result = result ? result : posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    if (out_fd >= 0) result = result ? result : posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    if (err_fd >= 0) result = result ? result : posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    result = result ? result : posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    result = result ? result : posix_spawnattr_setsigmask(&attributes, &none);
    result = result ? result : posix_spawnattr_setsigdefault(&attributes, &all);
    result = result ? result : posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (result == 0) result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}
