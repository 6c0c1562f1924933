/*
 * stat, fstat, lstat for glibc before 2.33 (see glibc-compat.h): build.sh links with
 * --wrap=stat64 and the like, so every reference of libuv and the glue to them comes here.
 * Each is the system call glibc 2.33+ makes itself on x86-64 and aarch64, whose kernel
 * struct stat is glibc's struct stat (and struct stat64) on both: no conversion.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(struct stat) == sizeof(struct stat64),
               "struct stat and struct stat64 differ on this architecture");

int __wrap_stat64(const char *path, struct stat64 *buf);
int __wrap_lstat64(const char *path, struct stat64 *buf);
int __wrap_fstat64(int fd, struct stat64 *buf);
int __wrap_stat(const char *path, struct stat *buf);
int __wrap_lstat(const char *path, struct stat *buf);
int __wrap_fstat(int fd, struct stat *buf);

__attribute__((visibility("hidden"))) int __wrap_stat64(const char *path, struct stat64 *buf) {
  return (int) syscall(SYS_newfstatat, AT_FDCWD, path, buf, 0);
}

__attribute__((visibility("hidden"))) int __wrap_lstat64(const char *path, struct stat64 *buf) {
  return (int) syscall(SYS_newfstatat, AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW);
}

__attribute__((visibility("hidden"))) int __wrap_fstat64(int fd, struct stat64 *buf) {
  return (int) syscall(SYS_fstat, fd, buf);
}

__attribute__((visibility("hidden"))) int __wrap_stat(const char *path, struct stat *buf) {
  return __wrap_stat64(path, (struct stat64 *) buf);
}

__attribute__((visibility("hidden"))) int __wrap_lstat(const char *path, struct stat *buf) {
  return __wrap_lstat64(path, (struct stat64 *) buf);
}

__attribute__((visibility("hidden"))) int __wrap_fstat(int fd, struct stat *buf) {
  return __wrap_fstat64(fd, (struct stat64 *) buf);
}
