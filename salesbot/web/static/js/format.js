// Exact display of decimal strings and calendar dates from the API (no floats, no time-zone shifts).

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;

const EXPONENT = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/;

/** "1.5E-7" → "0.00000015", "2E+3" → "2000": exponent notation (as Decimal may send) made plain. */
export function plainDecimal(value) {
  const text = String(value ?? "").trim();
  const m = EXPONENT.exec(text);
  if (!m) return text;
  const [, sign, whole, frac = "", exp] = m;
  const shift = Number(exp);
  if (Math.abs(shift) > 400) return text;
  let digits = whole + frac;
  let point = whole.length + shift;
  if (point <= 0) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const fracPart = digits.slice(point).replace(/0+$/, "");
  return `${sign}${intPart}${fracPart ? `.${fracPart}` : ""}`;
}

/** "1234567.005" → "1,234,567.01" (half-up to `places`); anything unreadable comes back as is. */
export function groupDigits(value, places = 2) {
  const text = plainDecimal(value);
  const m = PLAIN.exec(text);
  if (!m) return text;
  const [, sign, whole, frac = ""] = m;
  let digits = whole + frac.padEnd(places, "0").slice(0, places);
  if (frac.length > places && Number(frac[places]) >= 5) digits = increment(digits);
  const intPart = digits.slice(0, digits.length - places).replace(/^0+(?=\d)/, "") || "0";
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const decimals = places ? `.${digits.slice(digits.length - places)}` : "";
  const zero = /^0+$/.test(digits);
  return `${zero ? "" : sign}${grouped}${decimals}`;
}

function increment(digits) {
  const out = digits.split("");
  for (let i = out.length - 1; i >= 0; i -= 1) {
    if (out[i] === "9") {
      out[i] = "0";
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join("");
    }
  }
  return `1${out.join("")}`;
}

/** "AED 462,520.00" — the currency always shown. */
export function formatMoney(value, currency, places = 2) {
  if (value === null || value === undefined || value === "") return "—";
  return `${currency} ${groupDigits(value, places)}`;
}

/** "1,500,000" typed by a person → "1500000"; shorthand like 1.5M is left for the API to read. */
export function plainNumber(text) {
  return String(text ?? "").replace(/[,\s]/g, "").trim();
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** A calendar date "2026-12-26" shown in the browser's style, without time-zone shifts. */
export function formatDay(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value || ""));
  if (!m) return value ? String(value) : "—";
  return dayFormat.format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** US dollar costs: cents from a dollar up, otherwise four decimals so small costs still show. */
export function formatCost(value) {
  const plain = plainDecimal(value);
  if (/^-?0*\.?0*$/.test(plain)) return "$0.00";
  const whole = /^-?(\d+)/.exec(plain);
  const places = whole && Number(whole[1]) >= 1 ? 2 : 4;
  return `$${groupDigits(plain, places)}`;
}
