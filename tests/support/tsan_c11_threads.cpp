// Linked only into the ThreadSanitizer builds of the test programs.
//
// librdkafka starts its threads and takes its locks through glibc's C11 <threads.h> functions.
// GCC 12's ThreadSanitizer does not intercept them (glibc implements them with internal calls
// that bypass the pthread interceptors), so it never learns of librdkafka's threads and crashes
// on their first allocation. Defined here, in the executable, these definitions take precedence
// over glibc's for librdkafka's references (an unversioned definition satisfies their
// @GLIBC_2.28 and @GLIBC_2.34 versions), and they forward to the pthread functions, which the sanitizer intercepts:
// it then sees the threads and the happens-before edges of librdkafka's mutexes and condition
// variables. Return codes are mapped as glibc maps them.
//
// The rwlock calls that synchronise (lock, unlock) are forwarded too, for tsan_suppressions.txt:
// its called_from_lib entry makes the sanitizer ignore the calls librdkafka makes into it,
// memory accesses and synchronisation alike. Called from here instead, librdkafka's rwlocks keep
// their happens-before edges. Their init and destroy stay ignored, like its frees.
#include <threads.h>

#include <dlfcn.h>
#include <pthread.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));

namespace {

int thrd_result(int error) {
  switch (error) {
    case 0: return thrd_success;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    default: return thrd_error;
  }
}

pthread_mutex_t* native(mtx_t* mutex) { return reinterpret_cast<pthread_mutex_t*>(mutex); }
pthread_cond_t* native(cnd_t* cond) { return reinterpret_cast<pthread_cond_t*>(cond); }

// A C11 thread function returns int, a pthread one void*: the int travels in the pointer.
struct Start {
  thrd_start_t function;
  void* argument;
};

void* run(void* start_pointer) {
  Start start = *static_cast<Start*>(start_pointer);
  std::free(start_pointer);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.function(start.argument)));
}

// The next definition of NAME after the executable's: the sanitizer's interceptor.
template <typename Function>
Function* next(const char* name) {
  return reinterpret_cast<Function*>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  auto* start = static_cast<Start*>(std::malloc(sizeof(Start)));
  if (start == nullptr) return thrd_nomem;
  *start = Start{function, argument};
  const int error = pthread_create(thread, nullptr, run, start);
  if (error != 0) std::free(start);
  return thrd_result(error);
}

int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  const int error = pthread_join(thread, &value);
  if (error == 0 && result != nullptr) {
    *result = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  }
  return thrd_result(error);
}

thrd_t thrd_current(void) { return pthread_self(); }

int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  // mtx_timed makes no difference to a pthread mutex; only mtx_recursive does.
  pthread_mutexattr_settype(&attributes, (type & mtx_recursive) != 0 ? PTHREAD_MUTEX_RECURSIVE
                                                                     : PTHREAD_MUTEX_NORMAL);
  const int error = pthread_mutex_init(native(mutex), &attributes);
  pthread_mutexattr_destroy(&attributes);
  return thrd_result(error);
}

int mtx_lock(mtx_t* mutex) { return thrd_result(pthread_mutex_lock(native(mutex))); }

int mtx_unlock(mtx_t* mutex) { return thrd_result(pthread_mutex_unlock(native(mutex))); }

void mtx_destroy(mtx_t* mutex) { pthread_mutex_destroy(native(mutex)); }

int cnd_init(cnd_t* cond) { return thrd_result(pthread_cond_init(native(cond), nullptr)); }

int cnd_signal(cnd_t* cond) { return thrd_result(pthread_cond_signal(native(cond))); }

int cnd_broadcast(cnd_t* cond) { return thrd_result(pthread_cond_broadcast(native(cond))); }

int cnd_wait(cnd_t* cond, mtx_t* mutex) {
  return thrd_result(pthread_cond_wait(native(cond), native(mutex)));
}

int cnd_timedwait(cnd_t* __restrict cond, mtx_t* __restrict mutex,
                  const struct timespec* __restrict time_point) {
  return thrd_result(pthread_cond_timedwait(native(cond), native(mutex), time_point));
}

void cnd_destroy(cnd_t* cond) { pthread_cond_destroy(native(cond)); }

void call_once(once_flag* flag, void (*function)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), function);
}

int pthread_rwlock_rdlock(pthread_rwlock_t* lock) noexcept {
  static auto* const real = next<int(pthread_rwlock_t*)>("pthread_rwlock_rdlock");
  return real(lock);
}

int pthread_rwlock_wrlock(pthread_rwlock_t* lock) noexcept {
  static auto* const real = next<int(pthread_rwlock_t*)>("pthread_rwlock_wrlock");
  return real(lock);
}

int pthread_rwlock_unlock(pthread_rwlock_t* lock) noexcept {
  static auto* const real = next<int(pthread_rwlock_t*)>("pthread_rwlock_unlock");
  return real(lock);
}

}  // extern "C"
