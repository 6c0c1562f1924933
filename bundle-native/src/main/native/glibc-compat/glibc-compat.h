/*
 * Keeps libuvtcp loadable on glibc older than the Debian 12 glibc (2.36) it is built against:
 * force-included (-include) into every libuv and glue source by build.sh.
 *
 * A reference to a glibc function is bound to the newest version of that function in the glibc
 * linked against. Since 2.34 the pthread, semaphore and dl functions live in libc.so.6 under a
 * new version (GLIBC_2.34) beside their old one; fcntl became fcntl64 (2.28), pthread_sigmask
 * got a libc version (2.32). Their behaviour is the same under the old version, so each is bound
 * here to its oldest version on the architecture (GLIBC_2.2.5 on x86-64, but 2.3.3 for
 * pthread_condattr_setclock; GLIBC_2.17 on aarch64: what `readelf --dyn-syms` shows in Debian
 * 12's libc.so.6), which every later glibc of that architecture provides, from
 * libpthread.so.0 / libdl.so.2 before 2.34 (so the library names them as needed too, see
 * build.sh) and from libc.so.6 after.
 *
 * stat, fstat and lstat (GLIBC_2.33) have no old version to bind to (before 2.33 they were
 * inline wrappers of __xstat): build.sh redirects them with ld's --wrap to glibc-compat.c.
 *
 * What is left is clock_gettime/clock_getres (GLIBC_2.17 on x86-64): the floor is 2.17 on both
 * architectures, checked by build.sh (--glibc-max) and by PackagingTest/PackagedJarIT.
 */
#ifndef UVTCP_GLIBC_COMPAT_H
#define UVTCP_GLIBC_COMPAT_H

#if defined(__x86_64__)
#define UVTCP_GLIBC_BASE "GLIBC_2.2.5"
/* Added after x86-64's first glibc: its oldest version there. */
#define UVTCP_GLIBC_CONDATTR_SETCLOCK "GLIBC_2.3.3"
#elif defined(__aarch64__)
#define UVTCP_GLIBC_BASE "GLIBC_2.17"
#define UVTCP_GLIBC_CONDATTR_SETCLOCK "GLIBC_2.17"
#else
#error "glibc-compat.h: unknown architecture (add its glibc base version)"
#endif

/* Binds every reference to SYM in this file to SYM@BASE (none is made if SYM is unused). */
#define UVTCP_GLIBC_OLD(sym) __asm__(".symver " #sym "," #sym "@" UVTCP_GLIBC_BASE);

UVTCP_GLIBC_OLD(dlerror)
UVTCP_GLIBC_OLD(dlsym)
UVTCP_GLIBC_OLD(pthread_attr_setstacksize)
UVTCP_GLIBC_OLD(pthread_barrier_destroy)
UVTCP_GLIBC_OLD(pthread_barrier_init)
UVTCP_GLIBC_OLD(pthread_barrier_wait)
__asm__(".symver pthread_condattr_setclock,pthread_condattr_setclock@"
        UVTCP_GLIBC_CONDATTR_SETCLOCK);
UVTCP_GLIBC_OLD(pthread_create)
UVTCP_GLIBC_OLD(pthread_getspecific)
UVTCP_GLIBC_OLD(pthread_join)
UVTCP_GLIBC_OLD(pthread_key_create)
UVTCP_GLIBC_OLD(pthread_key_delete)
UVTCP_GLIBC_OLD(pthread_mutex_trylock)
UVTCP_GLIBC_OLD(pthread_mutexattr_destroy)
UVTCP_GLIBC_OLD(pthread_mutexattr_init)
UVTCP_GLIBC_OLD(pthread_mutexattr_settype)
UVTCP_GLIBC_OLD(pthread_once)
UVTCP_GLIBC_OLD(pthread_rwlock_destroy)
UVTCP_GLIBC_OLD(pthread_rwlock_init)
UVTCP_GLIBC_OLD(pthread_rwlock_rdlock)
UVTCP_GLIBC_OLD(pthread_rwlock_tryrdlock)
UVTCP_GLIBC_OLD(pthread_rwlock_trywrlock)
UVTCP_GLIBC_OLD(pthread_rwlock_unlock)
UVTCP_GLIBC_OLD(pthread_rwlock_wrlock)
UVTCP_GLIBC_OLD(pthread_setspecific)
UVTCP_GLIBC_OLD(pthread_sigmask)
UVTCP_GLIBC_OLD(sem_destroy)
UVTCP_GLIBC_OLD(sem_init)
UVTCP_GLIBC_OLD(sem_post)
UVTCP_GLIBC_OLD(sem_trywait)
UVTCP_GLIBC_OLD(sem_wait)

/* With _FILE_OFFSET_BITS=64, fcntl is fcntl64 (2.28); on 64-bit Linux the two are the same. */
__asm__(".symver fcntl64,fcntl@" UVTCP_GLIBC_BASE);

#endif
