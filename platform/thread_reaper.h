#pragma once
// Ends a simulation that stops early (Ctrl-C, time limit) without leaking what its threads hold.
//
// A SystemC thread suspended in wait() keeps its C++ stack (vectors, payloads, maps) alive on its coroutine; when
// sc_main returns, SystemC frees the coroutine without unwinding it, so every object on it leaks (LeakSanitizer
// reports them). Killing each unfinished thread throws sc_unwind_exception into it, which runs its destructors.
// SystemC only lets a process issue such a kill, so the reaper is a method process woken by reap_all().
#include <systemc>

namespace dacapo::platform {

class ThreadReaper : public sc_core::sc_module {
 public:
  explicit ThreadReaper(const sc_core::sc_module_name& name);

  // Call while the simulation is paused, then run one delta cycle (sc_start(SC_ZERO_TIME)) before sc_stop().
  void reap_all() { reap_.notify(); }
  // Threads killed by the last reap (for tests and the run log).
  unsigned killed() const { return killed_; }

 private:
  void kill_threads();  // SC_METHOD on reap_
  void kill_threads_under(const std::vector<sc_core::sc_object*>& objects);

  sc_core::sc_event reap_;
  unsigned killed_ = 0;
};

}  // namespace dacapo::platform
