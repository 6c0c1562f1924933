/*
 * Errors and version: uv_err_name, uv_strerror, name -> code, uv_version_string.
 */
#include "uvtcp.h"

#include <string.h>

#define UVTCP_ERR_ENTRY(name, message) {#name, UV_##name},

static const struct {
  const char *name;
  int code;
} uvtcp_error_table[] = {UV_ERRNO_MAP(UVTCP_ERR_ENTRY)};

#undef UVTCP_ERR_ENTRY

/* uv_err_name / uv_strerror leak a string for unknown codes; the _r variants do not. */

static jstring JNICALL errName(JNIEnv *env, jclass cls, jint code) {
  (void) cls;
  char buf[80];
  return (*env)->NewStringUTF(env, uv_err_name_r(code, buf, sizeof buf));
}

static jstring JNICALL strError(JNIEnv *env, jclass cls, jint code) {
  (void) cls;
  char buf[256];
  return (*env)->NewStringUTF(env, uv_strerror_r(code, buf, sizeof buf));
}

static jint JNICALL errCode(JNIEnv *env, jclass cls, jstring name) {
  (void) cls;
  if (name == NULL) {
    return 0;
  }
  const char *chars = (*env)->GetStringUTFChars(env, name, NULL);
  if (chars == NULL) {
    return 0; /* OutOfMemoryError pending */
  }
  jint code = 0;
  for (size_t i = 0; i < UVTCP_COUNT(uvtcp_error_table); i++) {
    if (strcmp(chars, uvtcp_error_table[i].name) == 0) {
      code = uvtcp_error_table[i].code;
      break;
    }
  }
  (*env)->ReleaseStringUTFChars(env, name, chars);
  return code;
}

static jstring JNICALL version(JNIEnv *env, jclass cls) {
  (void) cls;
  return (*env)->NewStringUTF(env, uv_version_string());
}

static const JNINativeMethod methods[] = {
    {"errName", "(I)Ljava/lang/String;", (void *) errName},
    {"strError", "(I)Ljava/lang/String;", (void *) strError},
    {"errCode", "(Ljava/lang/String;)I", (void *) errCode},
    {"version", "()Ljava/lang/String;", (void *) version},
};

int uvtcp_register_errors(JNIEnv *env, jclass cls) {
  return (*env)->RegisterNatives(env, cls, methods, (jint) UVTCP_COUNT(methods)) == 0 ? 0 : -1;
}
