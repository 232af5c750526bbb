#include "models/dacapo/sa_controller.h"

#include <algorithm>
#include <cstring>

#include "models/dacapo/dpe_row.h"

namespace dacapo::acc {

using namespace sc_core;
using regs::ErrorCode;
using regs::PerfCounter;

namespace {
const char* kSaNames[2] = {"t_sa", "b_sa"};

void store_f32(uint8_t* p, float v) { std::memcpy(p, &v, 4); }
float load_f32(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace

SaController::Slot* SaController::OperandBuffer::find(uint64_t key) {
  if (resident || group_chunks) {
    auto it = all.find(key);
    return it == all.end() ? nullptr : &it->second;
  }
  for (Slot& s : slots)
    if (s.key == key) {
      s.last_use = ++clock;
      return &s;
    }
  return nullptr;
}

SaController::Slot& SaController::OperandBuffer::claim(uint64_t key) {
  if (group_chunks && key / group_chunks != group) {
    all.clear();  // the previous group's panel is done (its last step computed before this load)
    group = key / group_chunks;
  }
  if (resident || group_chunks) {
    Slot& s = all[key];
    s.key = key;
    return s;
  }
  Slot& s = slots[0].last_use <= slots[1].last_use ? slots[0] : slots[1];
  s.key = key;
  s.last_use = ++clock;
  return s;
}

SaController::SaController(sc_module_name name, unsigned sa, const AccConfig& cfg)
    : sc_module(name),
      dma_socket("dma_socket"),
      row_socket("row_socket"),
      control_in("control_in"),
      state_out("state_out"),
      perf_out("perf_out"),
      busy_rows_out("busy_rows_out"),
      job_tag("job_tag"),
      job_precision("job_precision"),
      job_active("job_active"),
      sa_(sa),
      cfg_(cfg),
      sram_(sram_split(cfg, sa)),
      period_(cfg.period_ns(), SC_NS),
      functional_(cfg.fidelity == Fidelity::Functional),
      scratch_(cfg.dma_burst_bytes, 0) {
  SC_HAS_PROCESS(SaController);
  SC_THREAD(run);
}

void SaController::to_dot_blocks(Slot& slot, mx::Format fmt) {
  slot.dots.resize(slot.blocks.size());
  for (size_t i = 0; i < slot.blocks.size(); ++i) slot.dots[i] = mx::to_dot_block(slot.blocks[i], fmt);
}

uint64_t SaController::cycles(const sc_time& t) const {
  const uint64_t p = period_.value();
  return (t.value() + p - 1) / p;
}

void SaController::sync_to(const sc_time& t) {
  if (t > sc_time_stamp()) wait(t - sc_time_stamp());
}

void SaController::publish(const QueueState& st) {
  state_out.write(st);
  perf_out.write(perf_);
}

void SaController::check_reset() {
  if (control_in.read().reset_seq != reset_seen_) throw Aborted{};
}

bool SaController::dma(tlm::tlm_command cmd, const std::vector<Segment>& segments, uint8_t* buf, sc_time earliest,
                       sc_time& done) {
  bursts_.clear();
  if (cfg_.dma_coalesce) {
    merged_.clear();
    coalesce_segments(segments, merged_);
    split_bursts(merged_, cfg_.dma_burst_bytes, bursts_);
  } else {
    split_bursts(segments, cfg_.dma_burst_bytes, bursts_);
  }
  sc_time t = std::max(earliest, dma_free_);
  done = t;
  uint64_t offset = 0;
  sc_time now = sc_time_stamp();
  uint32_t step_bytes = 0;  // the issue spacing of the last burst size (bursts of one call mostly share a size)
  sc_time step;
  for (const Segment& b : bursts_) {
    if (t < now) t = now;  // a target that waited inside b_transport
    trans_.set_command(cmd);
    trans_.set_address(b.addr);
    trans_.set_data_ptr(buf ? buf + offset : scratch_.data());
    trans_.set_data_length(b.bytes);
    trans_.set_streaming_width(b.bytes);
    trans_.set_byte_enable_ptr(nullptr);
    trans_.set_byte_enable_length(0);
    trans_.set_dmi_allowed(false);
    trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = t - now;
    dma_socket->b_transport(trans_, delay);
    if (!trans_.is_response_ok()) return false;
    now = sc_time_stamp();
    const sc_time completion = cfg_.ideal_memory ? t : now + delay;
    done = std::max(done, completion);
    if (!cfg_.ideal_memory) {
      if (b.bytes != step_bytes) {
        step_bytes = b.bytes;
        step = period_ * (double(b.bytes) / cfg_.dma_bytes_per_cycle);
      }
      t += step;
    }
    if (current_) (cmd == tlm::TLM_READ_COMMAND ? current_->dram_read_bytes : current_->dram_write_bytes) += b.bytes;
    (cmd == tlm::TLM_READ_COMMAND ? perf_[PerfCounter::DramReadBytes] : perf_[PerfCounter::DramWriteBytes]) +=
        b.bytes;
    offset += b.bytes;
  }
  dma_free_ = t;
  return true;
}

void SaController::account_energy(JobRecord& rec, uint64_t end_cycle) const {
  rec.actions.dma_bytes = rec.dram_read_bytes + rec.dram_write_bytes;
  rec.energy = dynamic_energy(rec.actions, rec.precision, cfg_.energy);
  const double seconds = double(end_cycle - std::min(end_cycle, rec.start_cycle)) * period_.to_seconds();
  const double sram_share = sa_ == 0 ? cfg_.sram_top_share : 1.0 - cfg_.sram_top_share;
  rec.energy += static_energy(seconds, double(rec.rows) / cfg_.rows, sram_share, cfg_.energy);
}

void SaController::raise_error(QueueState& st, ErrorCode code, uint32_t slot) {
  st.halted = true;
  st.busy = false;
  st.error = static_cast<uint32_t>(code) | (slot << 16);
  ++st.error_events;
  publish(st);
}

void SaController::run() {
  QueueState st;
  publish(st);
  while (true) {
    const QueueControl c = control_in.read();
    if (c.reset_seq != reset_seen_) {
      const uint32_t done = st.done_events, errors = st.error_events, clear = st.clear_ack;
      st = QueueState{};
      st.done_events = done;
      st.error_events = errors;
      st.clear_ack = clear;
      reset_seen_ = st.reset_ack = c.reset_seq;
      busy_rows_out.write(0);
      job_active.write(false);
      publish(st);
    }
    if (c.clear_error_seq != st.clear_ack) {
      if (st.halted) {
        st.head = head_after_clear(st, c.ring_size);
        st.halted = false;
        st.error = 0;
      }
      st.clear_ack = c.clear_error_seq;
      publish(st);
    }
    if (!c.enable || st.halted || c.tail == st.head) {
      if (st.busy) {
        st.busy = false;
        publish(st);
      }
      wait(control_in.value_changed_event());
      continue;
    }
    const bool ring_ok = c.ring_base % regs::kDescriptorAlign == 0 && c.ring_size >= 1 &&
                         c.ring_size <= regs::kMaxRingSlots && c.tail < c.ring_size && st.head < c.ring_size &&
                         c.ring_base >= cfg_.dram_base &&
                         c.ring_base + uint64_t(c.ring_size) * regs::kDescriptorBytes <= cfg_.dram_base + cfg_.dram_bytes;
    if (!ring_ok) {
      raise_error(st, ErrorCode::BadRing, st.head);
      continue;
    }
    st.busy = true;
    publish(st);
    try {
      execute(c, st);
    } catch (const Aborted&) {
      // Soft reset: the job is dropped without write-back; the loop resets the state. Its work so far was done.
      // (Its record keeps end_cycle 0: not completed.)
      if (current_) account_energy(*current_, cycles(sc_time_stamp()));
      current_ = nullptr;
    }
  }
}

void SaController::execute(const QueueControl& c, QueueState& st) {
  const uint32_t slot = st.head;
  const uint64_t desc_addr = c.ring_base + uint64_t(slot) * regs::kDescriptorBytes;
  const sc_time t0 = sc_time_stamp();
  dma_free_ = std::max(dma_free_, t0);
  const regs::Precision prec = static_cast<regs::Precision>(c.precision);

  jobs_.emplace_back();
  current_ = &jobs_.back();
  JobRecord& rec = *current_;
  rec.sa = sa_;
  rec.slot = slot;
  rec.precision = prec;
  rec.rows = c.row_count;
  rec.start_cycle = cycles(t0);

  // Write-back of status (and cycles) into the descriptor; returns the completion time.
  auto write_back = [&](ErrorCode code, uint64_t compute, uint64_t total, sc_time at) {
    uint8_t wb[regs::kDescWritebackBytes] = {};
    const uint32_t status = code == ErrorCode::None
                                ? static_cast<uint32_t>(regs::DescStatus::Done)
                                : static_cast<uint32_t>(regs::DescStatus::Error) | (static_cast<uint32_t>(code) << 8);
    const uint64_t start = rec.start_cycle;
    std::memcpy(wb + 0x00, &status, 4);
    std::memcpy(wb + 0x08, &start, 8);
    std::memcpy(wb + 0x10, &compute, 8);
    std::memcpy(wb + 0x18, &total, 8);
    sc_time done = at;
    dma(tlm::TLM_WRITE_COMMAND, {Segment{desc_addr + regs::kDescStatusOffset, regs::kDescWritebackBytes}}, wb, at,
        done);
    return done;
  };
  auto fail = [&](ErrorCode code, bool can_write_back, sc_time at) {
    rec.error = code;
    sc_time end = at;
    if (can_write_back) end = write_back(code, 0, 0, at);
    sync_to(end);
    rec.end_cycle = cycles(end);
    rec.dram_stall_cycles = rec.end_cycle - rec.start_cycle;
    account_energy(rec, rec.end_cycle);
    current_ = nullptr;
    raise_error(st, code, slot);
  };

  // --- fetch and check the descriptor
  uint8_t raw[regs::kDescriptorBytes];
  sc_time fetched;
  if (!dma(tlm::TLM_READ_COMMAND, {Segment{desc_addr, regs::kDescriptorBytes}}, raw, t0, fetched)) {
    fail(ErrorCode::BadAddress, false, t0);
    return;
  }
  const regs::Descriptor d = regs::descriptor_from_bytes(raw);
  rec.tag = d.tag;
  rec.opcode = d.opcode;
  rec.m = d.m;
  rec.n = d.n;
  rec.k = d.k;
  CheckContext ctx{prec, c.row_count, cfg_.cols, cfg_.dram_base, cfg_.dram_bytes};
  Job job;
  const ErrorCode check = check_descriptor(d, ctx, job);
  if (check != ErrorCode::None) {
    fail(check, true, fetched);
    return;
  }
  job_tag.write(job.tag);
  job_precision.write(c.precision);
  job_active.write(true);

  // --- plan
  const mx::Format fmt = to_mx(prec);
  const bool mx_row_c = job.c.format.is_mx() && !job.c.format.col_major;
  const TilePlan plan = plan_tiles(job.m, job.n, job.k, c.row_count, cfg_.cols, prec, sram_, mx_row_c);
  const bool conv = job.opcode == regs::Opcode::Conv;
  const uint32_t bb = plan.block_bytes;
  OperandBuffer a_buf, b_buf;
  a_buf.resident = !plan.m_outer && plan.inner_resident;
  b_buf.resident = plan.m_outer && plan.inner_resident;
  // A group-resident panel of more than one chunk fills its buffer: no double buffering across groups.
  const bool group_panel = plan.outer_resident && plan.chunks > 1;
  if (plan.outer_resident) (plan.m_outer ? a_buf : b_buf).group_chunks = plan.chunks;
  rec.tiles = plan.tiles();

  // Output tiles (FP32 accumulators, [n][m] within the tile), double-buffered by tile parity, and the bias slice.
  std::array<std::vector<float>, 2> acc, bias;
  // PCU staging of row-major MX results: FP32 values of the current M group from N block stage_nb0 on.
  std::vector<float> stage;
  uint64_t stage_nb0 = 0;
  const uint32_t stage_blocks = (c.row_count + 15) / 16 + 1;
  if (functional_ && mx_row_c) stage.assign(uint64_t(cfg_.cols) * 16 * stage_blocks, 0.0f);

  std::vector<Segment> segs;
  std::vector<ConvRowSpan> spans;
  std::vector<uint8_t> bytes;
  RowWork work;
  tlm::tlm_generic_payload row_trans;

  const uint64_t steps = plan.tiles() * plan.chunks;
  std::vector<sc_time> ready(2), compute_end(2);  // by step parity
  sc_time prev_end = fetched;                       // end of the previous compute step
  sc_time last_write = fetched;
  uint64_t compute_total = 0, queue_total = 0, dram_wait = 0;

  auto tile_of = [&](uint64_t s, uint64_t& mg, uint64_t& ng, uint64_t& chunk) {
    plan.tile_groups(s / plan.chunks, mg, ng);
    chunk = s % plan.chunks;
  };
  auto chunk_len = [&](uint64_t chunk) {
    return static_cast<uint32_t>(std::min(plan.chunk_blocks, plan.k_blocks - chunk * plan.chunk_blocks));
  };

  // Issues the loads of step s (operands not yet in SRAM, accumulate C, bias) no earlier than `earliest`.
  auto load = [&](uint64_t s, sc_time earliest) -> bool {
    uint64_t mg, ng, chunk;
    tile_of(s, mg, ng, chunk);
    const uint32_t nkb = chunk_len(chunk);
    const uint64_t kb0 = chunk * plan.chunk_blocks;
    const uint64_t m0 = mg * cfg_.cols, n0 = ng * plan.sa_rows;
    const uint32_t cm = static_cast<uint32_t>(std::min<uint64_t>(cfg_.cols, job.m - m0));
    const uint32_t rn = static_cast<uint32_t>(std::min<uint64_t>(plan.sa_rows, job.n - n0));
    const unsigned parity = (s / plan.chunks) & 1u;
    sc_time done = earliest;
    ready[s & 1] = earliest;
    // A
    const uint64_t a_key = mg * plan.chunks + chunk;
    if (!a_buf.find(a_key)) {
      Slot& slot_a = a_buf.claim(a_key);
      segs.clear();
      if (conv) conv_a_spans(job.conv, m0, cm, kb0, nkb, spans, segs);
      else k_operand_segments(job.a, m0, cm, kb0, nkb, segs);
      uint8_t* data = nullptr;
      if (functional_) {
        bytes.resize(total_bytes(segs));
        data = bytes.data();
      }
      if (!dma(tlm::TLM_READ_COMMAND, segs, data, earliest, done)) return false;
      ready[s & 1] = std::max(ready[s & 1], done);
      if (functional_) {
        slot_a.blocks.resize(uint64_t(cm) * nkb);
        if (conv) conv_a_blocks(job.conv, m0, cm, kb0, nkb, spans, data, fmt, slot_a.blocks.data());
        else k_operand_blocks(job.a, m0, cm, kb0, nkb, data, fmt, slot_a.blocks.data());
        to_dot_blocks(slot_a, fmt);
      }
      const uint64_t sram = uint64_t(cm) * nkb * bb;
      rec.sram_input_bytes += sram;
      perf_[PerfCounter::SramInputBytes] += sram;
      rec.actions.sram_write_bytes[kInputBuffer] += sram;
      if (conv ? job.conv.elem == regs::ElemFormat::FP32 : !OperandFormat{job.a.elem}.is_mx())
        rec.actions.pcu_blocks += uint64_t(cm) * nkb;  // FP32 operand converted to the SA precision on the way in
    }
    // B
    const uint64_t b_key = ng * plan.chunks + chunk;
    if (!b_buf.find(b_key)) {
      Slot& slot_b = b_buf.claim(b_key);
      segs.clear();
      k_operand_segments(job.b, n0, rn, kb0, nkb, segs);
      uint8_t* data = nullptr;
      if (functional_) {
        bytes.resize(total_bytes(segs));
        data = bytes.data();
      }
      if (!dma(tlm::TLM_READ_COMMAND, segs, data, earliest, done)) return false;
      ready[s & 1] = std::max(ready[s & 1], done);
      if (functional_) {
        slot_b.blocks.resize(uint64_t(rn) * nkb);
        k_operand_blocks(job.b, n0, rn, kb0, nkb, data, fmt, slot_b.blocks.data());
        to_dot_blocks(slot_b, fmt);
      }
      const uint64_t sram = uint64_t(rn) * nkb * bb;
      rec.sram_weight_bytes += sram;
      perf_[PerfCounter::SramWeightBytes] += sram;
      rec.actions.sram_write_bytes[kWeightBuffer] += sram;
      if (!OperandFormat{job.b.elem}.is_mx()) rec.actions.pcu_blocks += uint64_t(rn) * nkb;
    }
    if (chunk != 0) return true;
    // First chunk of a tile: the accumulators start from C (accumulate) or zero; the bias slice comes along.
    if (functional_) acc[parity].assign(uint64_t(cm) * rn, 0.0f);
    if (job.accumulate) {
      segs.clear();
      c_fp32_segments(job.c, m0, cm, n0, rn, segs);
      uint8_t* data = nullptr;
      if (functional_) {
        bytes.resize(total_bytes(segs));
        data = bytes.data();
      }
      if (!dma(tlm::TLM_READ_COMMAND, segs, data, earliest, done)) return false;
      ready[s & 1] = std::max(ready[s & 1], done);
      if (functional_)
        for (uint32_t i = 0; i < cm; ++i)
          for (uint32_t j = 0; j < rn; ++j) {
            const uint64_t at = job.c.format.col_major ? uint64_t(j) * cm + i : uint64_t(i) * rn + j;
            acc[parity][uint64_t(j) * cm + i] = load_f32(data + 4 * at);
          }
      rec.sram_output_bytes += 4ull * cm * rn;
      perf_[PerfCounter::SramOutputBytes] += 4ull * cm * rn;
      rec.actions.sram_write_bytes[kOutputBuffer] += 4ull * cm * rn;
    }
    if (job.bias) {
      uint8_t* data = nullptr;
      if (functional_) {
        bytes.resize(4ull * rn);
        data = bytes.data();
      }
      if (!dma(tlm::TLM_READ_COMMAND, {Segment{job.bias_addr + 4 * n0, 4 * rn}}, data, earliest, done)) return false;
      ready[s & 1] = std::max(ready[s & 1], done);
      if (functional_) {
        bias[parity].resize(rn);
        for (uint32_t j = 0; j < rn; ++j) bias[parity][j] = load_f32(data + 4 * j);
      }
    }
    return true;
  };

  // Precision-conversion unit + result DMA of the tile that step s finished; issued at time `at`.
  auto store = [&](uint64_t s, sc_time at) -> bool {
    uint64_t mg, ng, chunk;
    tile_of(s, mg, ng, chunk);
    const uint64_t m0 = mg * cfg_.cols, n0 = ng * plan.sa_rows;
    const uint32_t cm = static_cast<uint32_t>(std::min<uint64_t>(cfg_.cols, job.m - m0));
    const uint32_t rn = static_cast<uint32_t>(std::min<uint64_t>(plan.sa_rows, job.n - n0));
    const unsigned parity = (s / plan.chunks) & 1u;
    std::vector<float>& a = acc[parity];
    auto value = [&](uint32_t i, uint32_t j) {  // tile element (m0+i, n0+j) after the epilogue
      return epilogue(a[uint64_t(j) * cm + i], job.bias, job.bias ? bias[parity][j] : 0.0f, job.relu);
    };
    const uint64_t out_bytes = 4ull * cm * rn;  // rows write the tile, the PCU reads it
    rec.sram_output_bytes += 2 * out_bytes;
    perf_[PerfCounter::SramOutputBytes] += 2 * out_bytes;
    rec.actions.sram_write_bytes[kOutputBuffer] += out_bytes;
    rec.actions.sram_read_bytes[kOutputBuffer] += out_bytes;
    segs.clear();
    uint8_t* data = nullptr;
    const OperandFormat& cf = job.c.format;
    if (!cf.is_mx()) {
      c_fp32_segments(job.c, m0, cm, n0, rn, segs);
      if (functional_) {
        bytes.resize(total_bytes(segs));
        data = bytes.data();
        for (uint32_t i = 0; i < cm; ++i)
          for (uint32_t j = 0; j < rn; ++j)
            store_f32(data + 4 * (cf.col_major ? uint64_t(j) * cm + i : uint64_t(i) * rn + j), value(i, j));
      }
    } else if (cf.col_major) {
      // Blocks along M: the tile's M range is block-aligned (cols % 16 == 0).
      const mx::Format cfmt = to_mx(cf.elem);
      const uint32_t cbb = regs::mx_block_bytes(cf.elem);
      const uint64_t mb0 = m0 / 16, mbs = (cm + 15) / 16;
      for (uint64_t mb = 0; mb < mbs; ++mb) c_mx_col_segments(job.c, mb0 + mb, n0, rn, segs);
      rec.actions.pcu_blocks += mbs * rn;
      if (functional_) {
        bytes.resize(total_bytes(segs));
        data = bytes.data();
        float x[mx::kBlock];
        for (uint64_t mb = 0; mb < mbs; ++mb)
          for (uint32_t j = 0; j < rn; ++j) {
            for (int l = 0; l < mx::kBlock; ++l) {
              const uint64_t i = mb * 16 + uint64_t(l);
              x[l] = i < cm ? value(static_cast<uint32_t>(i), j) : 0.0f;
            }
            mx::pack(mx::encode(x, cfmt), cfmt, data + (mb * rn + j) * cbb);
          }
      }
    } else {
      // Blocks along N: stage the tile; write the N blocks this tile completed.
      const mx::Format cfmt = to_mx(cf.elem);
      const uint32_t cbb = regs::mx_block_bytes(cf.elem);
      if (n0 == 0) {
        stage_nb0 = 0;
        std::fill(stage.begin(), stage.end(), 0.0f);
      }
      const uint64_t stage_n = uint64_t(16) * stage_blocks;
      if (functional_)
        for (uint32_t i = 0; i < cm; ++i)
          for (uint32_t j = 0; j < rn; ++j) stage[i * stage_n + (n0 + j - stage_nb0 * 16)] = value(i, j);
      const uint64_t n_end = n0 + rn;
      const uint64_t nb_end = n_end == job.n ? (job.n + 15) / 16 : n_end / 16;
      if (nb_end > stage_nb0) {
        const uint32_t nnb = static_cast<uint32_t>(nb_end - stage_nb0);
        c_mx_row_segments(job.c, m0, cm, stage_nb0, nnb, segs);
        rec.actions.pcu_blocks += uint64_t(cm) * nnb;
        if (functional_) {
          bytes.resize(total_bytes(segs));
          data = bytes.data();
          for (uint32_t i = 0; i < cm; ++i)
            for (uint32_t blk = 0; blk < nnb; ++blk) {
              float x[mx::kBlock];
              for (int l = 0; l < mx::kBlock; ++l) {
                const uint64_t n = (stage_nb0 + blk) * 16 + uint64_t(l);
                x[l] = n < job.n ? stage[i * stage_n + blk * 16 + uint64_t(l)] : 0.0f;
              }
              mx::pack(mx::encode(x, cfmt), cfmt, data + (uint64_t(i) * nnb + blk) * cbb);
            }
          // Keep the unfinished block(s) at the front of the staging area.
          for (uint32_t i = 0; i < cm; ++i) {
            float* row = stage.data() + i * stage_n;
            std::copy(row + nnb * 16, row + stage_n, row);
            std::fill(row + stage_n - nnb * 16, row + stage_n, 0.0f);
          }
        }
        stage_nb0 = nb_end;
      }
    }
    if (segs.empty()) return true;
    sc_time done;
    if (!dma(tlm::TLM_WRITE_COMMAND, segs, data, at, done)) return false;
    last_write = std::max(last_write, done);
    return true;
  };

  // --- the tile pipeline
  if (!load(0, fetched)) {
    fail(ErrorCode::BadAddress, true, dma_free_);
    return;
  }
  for (uint64_t s = 0; s < steps; ++s) {
    check_reset();
    uint64_t mg, ng, chunk;
    tile_of(s, mg, ng, chunk);
    const uint32_t nkb = chunk_len(chunk);
    const uint64_t m0 = mg * cfg_.cols, n0 = ng * plan.sa_rows;
    const uint32_t cm = static_cast<uint32_t>(std::min<uint64_t>(cfg_.cols, job.m - m0));
    const uint32_t rn = static_cast<uint32_t>(std::min<uint64_t>(plan.sa_rows, job.n - n0));
    const bool last_chunk = chunk + 1 == plan.chunks;

    const sc_time start = std::max(prev_end, ready[s & 1]);
    if (start > prev_end) dram_wait += cycles(start - prev_end);
    uint64_t step_cycles = tile_compute_cycles(nkb, prec);
    compute_total += step_cycles;
    if (last_chunk) {
      const TileCycles tc = tile_cycles(job.k, rn, cm, prec, cfg_.operand_queue_stalls, cfg_.operand_queue_depth);
      step_cycles += tc.skew + tc.queue_stall;
      compute_total += tc.skew;
      queue_total += tc.queue_stall;
    }
    const sc_time end = start + period_ * double(step_cycles);
    compute_end[s & 1] = end;

    // The rows compute this step.
    if (functional_) {
      Slot* sa_slot = a_buf.find(mg * plan.chunks + chunk);
      Slot* sb = b_buf.find(ng * plan.chunks + chunk);
      const unsigned parity = (s / plan.chunks) & 1u;
      for (uint32_t r = 0; r < rn; ++r) {
        work = RowWork{sa_slot->dots.data(), sb->dots.data() + uint64_t(r) * nkb,
                       acc[parity].data() + uint64_t(r) * cm, cm, nkb, sa_};
        row_trans.set_command(tlm::TLM_WRITE_COMMAND);
        row_trans.set_address(0);
        row_trans.set_data_ptr(reinterpret_cast<unsigned char*>(&work));
        row_trans.set_data_length(sizeof(RowWork));
        row_trans.set_streaming_width(sizeof(RowWork));
        row_trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time zero = SC_ZERO_TIME;
        row_socket[static_cast<int>(c.row_first + r)]->b_transport(row_trans, zero);
        if (!row_trans.is_response_ok()) SC_REPORT_ERROR(name(), "DPE row refused work of its owner SA");
      }
    }
    const uint64_t sram_reads = uint64_t(cm) * nkb * bb;
    rec.sram_input_bytes += sram_reads;
    rec.sram_weight_bytes += uint64_t(rn) * nkb * bb;
    perf_[PerfCounter::SramInputBytes] += sram_reads;
    perf_[PerfCounter::SramWeightBytes] += uint64_t(rn) * nkb * bb;
    rec.actions.block_dots += uint64_t(cm) * rn * nkb;
    rec.actions.sram_read_bytes[kInputBuffer] += sram_reads;
    rec.actions.sram_read_bytes[kWeightBuffer] += uint64_t(rn) * nkb * bb;

    // Prefetch step s+1 into the half that step s-1 used.
    if (s + 1 < steps) {
      sc_time half_free = s >= 1 ? compute_end[(s - 1) & 1] : fetched;
      if (group_panel) {
        uint64_t mg1, ng1, chunk1;
        tile_of(s + 1, mg1, ng1, chunk1);
        if ((plan.m_outer ? mg1 != mg : ng1 != ng)) half_free = end;  // new panel: wait for the buffer
      }
      if (!load(s + 1, half_free)) {
        fail(ErrorCode::BadAddress, true, std::max(dma_free_, end));
        return;
      }
    }
    if (last_chunk && !store(s, end)) {
      fail(ErrorCode::BadAddress, true, std::max(dma_free_, end));
      return;
    }
    // Trace and time: the rows of this tile are busy from `start`.
    sync_to(start);
    busy_rows_out.write(((rn >= 32 ? 0xFFFF'FFFFu : ((1u << rn) - 1u))) << c.row_first);
    prev_end = end;
  }

  // --- completion
  const sc_time end = std::max(prev_end, last_write);
  const uint64_t total = cycles(end) - rec.start_cycle;
  sync_to(prev_end);
  busy_rows_out.write(0);
  const sc_time wb_done = write_back(ErrorCode::None, compute_total, total, end);
  sync_to(wb_done);
  job_active.write(false);

  rec.end_cycle = cycles(wb_done);
  rec.compute_cycles = compute_total;
  rec.queue_stall_cycles = queue_total;
  const uint64_t busy = rec.end_cycle - rec.start_cycle;
  rec.dram_stall_cycles = busy - std::min(busy, compute_total + queue_total);
  rec.macs = job.m * job.n * job.k;
  const double peak = double(busy) * c.row_count * cfg_.cols * macs_per_dpe_cycle(prec);
  rec.utilisation = peak > 0 ? double(rec.macs) / peak : 0.0;
  (void)dram_wait;
  account_energy(rec, rec.end_cycle);

  perf_[PerfCounter::BusyCycles] += busy;
  perf_[PerfCounter::ComputeCycles] += compute_total;
  perf_[PerfCounter::StallSramCycles] += queue_total;
  perf_[PerfCounter::StallDramCycles] += rec.dram_stall_cycles;
  perf_[prec == regs::Precision::MX4   ? PerfCounter::MacsMx4
        : prec == regs::Precision::MX6 ? PerfCounter::MacsMx6
                                       : PerfCounter::MacsMx9] += rec.macs;
  perf_[PerfCounter::Jobs] += 1;
  current_ = nullptr;

  st.head = (st.head + 1) % c.ring_size;
  ++st.completed;
  if (job.irq_on_done) ++st.done_events;
  publish(st);
}

void SaController::report_stats(StatsReport& r, const std::string& path) const {
  const std::string p = path + "." + kSaNames[sa_];
  auto add = [&](const char* name, PerfCounter c, const char* unit, const char* desc) {
    r.add_count(p, name, perf_[c], unit, desc);
  };
  add("jobs", PerfCounter::Jobs, "", "descriptors completed");
  add("busy_cycles", PerfCounter::BusyCycles, "cycles", "cycles with a descriptor in flight");
  add("compute_cycles", PerfCounter::ComputeCycles, "cycles", "tile formula cycles (K'c + skew per tile)");
  add("stall_operand_queue_cycles", PerfCounter::StallSramCycles, "cycles",
      "operand-queue stall term (PERF StallSramCycles)");
  add("stall_dram_cycles", PerfCounter::StallDramCycles, "cycles", "waiting for DMA (descriptors, operands, results)");
  add("macs_mx4", PerfCounter::MacsMx4, "MAC", "multiply-accumulates at MX4");
  add("macs_mx6", PerfCounter::MacsMx6, "MAC", "multiply-accumulates at MX6");
  add("macs_mx9", PerfCounter::MacsMx9, "MAC", "multiply-accumulates at MX9");
  add("dram_read_bytes", PerfCounter::DramReadBytes, "B", "bytes read from DRAM");
  add("dram_write_bytes", PerfCounter::DramWriteBytes, "B", "bytes written to DRAM");
  add("sram_input_bytes", PerfCounter::SramInputBytes, "B", "input (A) buffer bytes read + written");
  add("sram_weight_bytes", PerfCounter::SramWeightBytes, "B", "weight (B) buffer bytes read + written");
  add("sram_output_bytes", PerfCounter::SramOutputBytes, "B", "output (C) buffer bytes read + written");
  uint64_t errors = 0, macs = 0;
  double weighted = 0, busy = 0;
  for (const JobRecord& j : jobs_) {
    if (j.error != ErrorCode::None) {
      ++errors;
      continue;
    }
    macs += j.macs;
    busy += double(j.end_cycle - j.start_cycle) * j.rows * cfg_.cols * macs_per_dpe_cycle(j.precision);
  }
  weighted = busy > 0 ? double(macs) / busy : 0.0;
  r.add_count(p, "errors", errors, "", "descriptors rejected with an error");
  r.add_real(p, "utilisation", weighted, "", "MACs / peak MACs of the owned rows over the busy cycles");
}

void SaController::trace(sc_trace_file* tf) const {
  const std::string p = name();
  sc_core::sc_trace(tf, job_tag, p + ".job_tag");
  sc_core::sc_trace(tf, job_precision, p + ".job_precision");
  sc_core::sc_trace(tf, job_active, p + ".job_active");
}

}  // namespace dacapo::acc
