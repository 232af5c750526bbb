#include "platform/thread_reaper.h"

using namespace sc_core;

namespace dacapo::platform {

ThreadReaper::ThreadReaper(const sc_module_name& name) : sc_module(name) {
  SC_HAS_PROCESS(ThreadReaper);
  SC_METHOD(kill_threads);
  sensitive << reap_;
  dont_initialize();
}

void ThreadReaper::kill_threads() {
  killed_ = 0;
  kill_threads_under(sc_get_top_level_objects());
}

void ThreadReaper::kill_threads_under(const std::vector<sc_object*>& objects) {
  for (sc_object* object : objects) {
    // Children first: a killed thread's dynamic children would otherwise lose their parent handle mid-walk.
    kill_threads_under(object->get_child_objects());
    sc_process_handle process(object);
    if (!process.valid() || process.terminated()) continue;
    if (process.proc_kind() != SC_THREAD_PROC_ && process.proc_kind() != SC_CTHREAD_PROC_) continue;
    process.kill();
    ++killed_;
  }
}

}  // namespace dacapo::platform
