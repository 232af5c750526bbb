// The label-phase rules every executor applies (simulated or on the board): which frames a LabelRequest names,
// and how the teacher's labels and the B-SA's live predictions become the phase result.
#pragma once

#include <vector>

#include "firmware/cl/interfaces.h"

namespace dacapo::cl {

// The frames to label, in labeling order: the explicit list; or `count` frames with the uniform stride over
// [first, end); or, when that range holds fewer than `count` frames, the `count` frames from `first` on (the
// labeler waits for them rather than labeling a frame twice). Shorter than requested only when the stream
// (`frame_count` frames) ends first: then the phase cannot complete.
std::vector<FrameId> resolve_label_frames(const LabelRequest& request, FrameId frame_count);

// Fills result.labeled, live_correct and label_accuracy (A_label: % of frames whose live prediction in `log`
// equals the teacher's label; a dropped frame counts wrong). Throws std::runtime_error on a label count mismatch.
void score_labels(const std::vector<FrameId>& frames, const std::vector<int>& labels, const FrameLog& log,
                  PhaseResult& result);

}  // namespace dacapo::cl
