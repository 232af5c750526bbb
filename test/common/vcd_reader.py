"""A small VCD reader for the integration checks (test/platform/check_run.py, test/clapp/check_cl_run.py).

read_vcd(path) parses the file and raises VcdError when it is malformed: no $enddefinitions, time going backwards,
or a value change of an undeclared id. It returns a Vcd with
  names  {full signal name: id}  (SystemC's top scope "SystemC" left out: "soc.cpu.phase")
  times  [every timestamp, in file order]
  last   {id: last value as text}  (scalars "0"/"1"/"x"/"z"; vectors and reals without their b/r prefix)
"""
from collections import namedtuple

Vcd = namedtuple("Vcd", "names times last")


class VcdError(Exception):
    pass


def read_vcd(path):
    names, ids, scope, times, last = {}, set(), [], [], {}
    in_header = True
    last_t = -1
    for line in open(path):
        tok = line.split()
        if not tok:
            continue
        if in_header:
            if tok[0] == "$scope":
                scope.append(tok[2])
            elif tok[0] == "$upscope":
                scope.pop()
            elif tok[0] == "$var":
                inner = scope[1:] if scope and scope[0] == "SystemC" else scope
                names[".".join(inner + [tok[4]])] = tok[3]
                ids.add(tok[3])
            elif tok[0] == "$enddefinitions":
                in_header = False
            continue
        if tok[0].startswith("#"):
            t = int(tok[0][1:])
            if t < last_t:
                raise VcdError("VCD time goes backwards at " + line.strip())
            last_t = t
            times.append(t)
        elif tok[0] in ("$dumpvars", "$end", "$comment"):
            continue
        elif tok[0][0] in "bBrR":
            if len(tok) < 2 or tok[1] not in ids:
                raise VcdError("VCD change of undeclared id: " + line.strip())
            last[tok[1]] = tok[0][1:]
        elif tok[0][0] in "01xXzZ":
            if tok[0][1:] not in ids:
                raise VcdError("VCD change of undeclared id: " + line.strip())
            last[tok[0][1:]] = tok[0][0]
    if in_header:
        raise VcdError("VCD has no $enddefinitions")
    return Vcd(names, times, last)
