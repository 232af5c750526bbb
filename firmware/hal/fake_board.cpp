#include "firmware/hal/fake_board.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace dacapo::fw {
namespace {
constexpr uint64_t kPage = 4096;

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}
}  // namespace

FakeBoard::FakeBoard(uint64_t dram_base, uint64_t dram_bytes, double cpu_mhz, uint64_t access_ps)
    : dram_base_(dram_base), dram_bytes_(dram_bytes), cpu_mhz_(cpu_mhz), access_ps_(access_ps) {}

void FakeBoard::map_device(uint64_t base, uint64_t bytes, int irq, Device* device) {
  devices_.push_back(Mapping{base, bytes, irq, device});
}
void FakeBoard::on_read(uint64_t addr, std::function<uint32_t()> handler) { read_handlers_[addr] = std::move(handler); }
void FakeBoard::on_write(uint64_t addr, std::function<void(uint32_t)> handler) {
  write_handlers_[addr] = std::move(handler);
}
void FakeBoard::set_irq(unsigned line, bool level) {
  if (level)
    forced_irqs_ |= 1u << line;
  else
    forced_irqs_ &= ~(1u << line);
}

const FakeBoard::Mapping* FakeBoard::find_device(uint64_t addr) const {
  for (const Mapping& m : devices_)
    if (addr >= m.base && addr - m.base < m.bytes) return &m;
  return nullptr;
}

uint32_t FakeBoard::read32(uint64_t addr) {
  now_ps_ += access_ps_;
  uint32_t value = 0;
  if (auto it = read_handlers_.find(addr); it != read_handlers_.end()) {
    value = it->second();
  } else if (const Mapping* m = find_device(addr)) {
    m->device->advance(now_ps_);
    if (addr % 4 != 0 || !m->device->read(addr - m->base, value))
      throw BusError("fake board: read error at " + hex(addr), addr);
  } else if (dram_contains(addr, 4) && addr % 4 == 0) {
    dram_read(addr, &value, 4);
  } else {
    throw BusError("fake board: read of unmapped address " + hex(addr), addr);
  }
  accesses_.push_back(Access{false, addr, value});
  return value;
}

void FakeBoard::write32(uint64_t addr, uint32_t value) {
  now_ps_ += access_ps_;
  accesses_.push_back(Access{true, addr, value});
  if (auto it = write_handlers_.find(addr); it != write_handlers_.end()) {
    it->second(value);
  } else if (const Mapping* m = find_device(addr)) {
    m->device->advance(now_ps_);
    if (addr % 4 != 0 || !m->device->write(addr - m->base, value))
      throw BusError("fake board: write error at " + hex(addr), addr);
  } else if (dram_contains(addr, 4) && addr % 4 == 0) {
    dram_write(addr, &value, 4);
  } else {
    throw BusError("fake board: write to unmapped address " + hex(addr), addr);
  }
}

uint32_t FakeBoard::irq_lines() {
  uint32_t lines = forced_irqs_;
  for (const Mapping& m : devices_)
    if (m.device->advance(now_ps_) && m.irq >= 0) lines |= 1u << m.irq;
  return lines;
}

uint32_t FakeBoard::wait_irq(uint32_t mask, uint64_t timeout_ps) {
  ++wait_calls_;
  const uint64_t deadline = now_ps_ + timeout_ps;
  while (true) {
    if (const uint32_t lines = irq_lines() & mask) return lines;
    if (now_ps_ >= deadline) return 0;
    uint64_t next = deadline;
    for (const Mapping& m : devices_) next = std::min(next, std::max(now_ps_, m.device->next_event_ps()));
    now_ps_ = next;
  }
}

bool FakeBoard::dram_contains(uint64_t addr, uint64_t bytes) const {
  return addr >= dram_base_ && bytes <= dram_bytes_ && addr - dram_base_ <= dram_bytes_ - bytes;
}

void FakeBoard::dram_read(uint64_t addr, void* dst, size_t bytes) const {
  auto* out = static_cast<uint8_t*>(dst);
  while (bytes > 0) {
    const uint64_t page = addr / kPage, off = addr % kPage;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes, kPage - off));
    auto it = pages_.find(page);
    if (it == pages_.end())
      std::memset(out, 0, n);
    else
      std::memcpy(out, it->second.data() + off, n);
    out += n;
    addr += n;
    bytes -= n;
  }
}

void FakeBoard::dram_write(uint64_t addr, const void* src, size_t bytes) {
  const auto* in = static_cast<const uint8_t*>(src);
  while (bytes > 0) {
    const uint64_t page = addr / kPage, off = addr % kPage;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes, kPage - off));
    auto& p = pages_[page];
    if (p.empty()) p.assign(kPage, 0);
    std::memcpy(p.data() + off, in, n);
    in += n;
    addr += n;
    bytes -= n;
  }
}

void FakeBoard::mem_read(uint64_t addr, void* dst, size_t bytes) {
  if (!dram_contains(addr, bytes)) throw BusError("fake board: mem_read outside DRAM at " + hex(addr), addr);
  now_ps_ += access_ps_ + bytes;  // ~1 B/ps: only needs to move time forward
  dram_read(addr, dst, bytes);
}

void FakeBoard::mem_write(uint64_t addr, const void* src, size_t bytes) {
  if (!dram_contains(addr, bytes)) throw BusError("fake board: mem_write outside DRAM at " + hex(addr), addr);
  now_ps_ += access_ps_ + bytes;
  dram_write(addr, src, bytes);
}

void FakeBoard::charge(uint64_t cpu_cycles) {
  charged_cycles_ += cpu_cycles;
  now_ps_ += static_cast<uint64_t>(double(cpu_cycles) * 1e6 / cpu_mhz_);
}

void FakeBoard::write_output(std::string_view name, std::string_view content) {
  if (!valid_output_name(name)) throw std::invalid_argument("write_output: bad output name '" + std::string(name) + "'");
  outputs_[std::string(name)] = std::string(content);
}

}  // namespace dacapo::fw
