#!/usr/bin/env python3
"""unit_convert: convert a value between units of length, mass, speed and temperature.

stdin:  {"value": 330, "from_unit": "m", "to_unit": "ft"}
stdout: the converted value as a JSON number.
Units: m, km, cm, ft, mi, in; kg, g, lb; kmh, mph, ms (metres per second);
c, f, k. Exit 1 for unknown or incompatible units.
"""
import json
import sys

# factor to the base unit of each dimension
LINEAR = {
    "length": {"m": 1.0, "km": 1000.0, "cm": 0.01, "ft": 0.3048, "mi": 1609.344, "in": 0.0254},
    "mass": {"kg": 1.0, "g": 0.001, "lb": 0.45359237},
    "speed": {"ms": 1.0, "kmh": 1000.0 / 3600.0, "mph": 1609.344 / 3600.0},
}
ALIASES = {"metre": "m", "metres": "m", "meter": "m", "meters": "m", "feet": "ft", "foot": "ft",
           "mile": "mi", "miles": "mi", "kilometre": "km", "kilometres": "km", "kilometers": "km",
           "km/h": "kmh", "kph": "kmh", "m/s": "ms", "pound": "lb", "pounds": "lb", "lbs": "lb",
           "celsius": "c", "fahrenheit": "f", "kelvin": "k", "inch": "in", "inches": "in"}
TEMP = {"c", "f", "k"}


def to_c(v, u):
    return v if u == "c" else (v - 32) * 5 / 9 if u == "f" else v - 273.15


def from_c(v, u):
    return v if u == "c" else v * 9 / 5 + 32 if u == "f" else v + 273.15


def main() -> int:
    try:
        a = json.load(sys.stdin)
        v = float(a["value"])
        fu = ALIASES.get(str(a["from_unit"]).lower(), str(a["from_unit"]).lower())
        tu = ALIASES.get(str(a["to_unit"]).lower(), str(a["to_unit"]).lower())
    except (ValueError, KeyError, TypeError) as e:
        print(f"unit_convert: bad request: {e}", file=sys.stderr)
        return 2
    if fu in TEMP and tu in TEMP:
        print(json.dumps(from_c(to_c(v, fu), tu)))
        return 0
    for table in LINEAR.values():
        if fu in table and tu in table:
            print(json.dumps(v * table[fu] / table[tu]))
            return 0
    print(f"unit_convert: cannot convert {fu!r} to {tu!r}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
