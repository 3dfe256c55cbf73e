// Money and dates from the API shown exactly: decimal strings are never turned into floats.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatCost, formatDay, formatMoney, groupDigits, plainDecimal, plainNumber } from "../../salesbot/web/static/js/format.js";

test("plainDecimal writes exponent notation out in full", () => {
  assert.equal(plainDecimal("1.5E-7"), "0.00000015");
  assert.equal(plainDecimal("2E+3"), "2000");
  assert.equal(plainDecimal("-1.25e2"), "-125");
  assert.equal(plainDecimal("1234.50"), "1234.50"); // plain numbers are left alone
  assert.equal(plainDecimal("1e401"), "1e401"); // absurd exponents are not expanded
  assert.equal(plainDecimal(null), "");
});

test("groupDigits groups thousands and rounds half up on the digits, not a float", () => {
  assert.equal(groupDigits("1234567.005"), "1,234,567.01"); // a float would give .00
  assert.equal(groupDigits("999.995"), "1,000.00");
  assert.equal(groupDigits("1.005"), "1.01");
  assert.equal(groupDigits("0.125", 2), "0.13");
  assert.equal(groupDigits("1234567.5", 0), "1,234,568");
  assert.equal(groupDigits("-1234.5"), "-1,234.50");
  assert.equal(groupDigits("-1234.5", 0), "-1,235");
  assert.equal(groupDigits("12345678901234567890.129"), "12,345,678,901,234,567,890.13");
  assert.equal(groupDigits("5", 3), "5.000");
  assert.equal(groupDigits("1.5E+6"), "1,500,000.00");
});

test("groupDigits drops the sign of a value that rounds to zero, and leaves unreadable input as is", () => {
  assert.equal(groupDigits("-0.004"), "0.00");
  assert.equal(groupDigits("-0"), "0.00");
  assert.equal(groupDigits("abc"), "abc");
  assert.equal(groupDigits("1,000"), "1,000");
  assert.equal(groupDigits(""), "");
});

test("formatMoney always shows the currency, and a dash for no amount", () => {
  assert.equal(formatMoney("462520", "AED"), "AED 462,520.00");
  assert.equal(formatMoney(0, "USD"), "USD 0.00");
  assert.equal(formatMoney("10.5", "EUR", 0), "EUR 11");
  for (const empty of [null, undefined, ""]) assert.equal(formatMoney(empty, "AED"), "—");
});

test("plainNumber removes grouping and spaces a person typed", () => {
  assert.equal(plainNumber(" 1,500 000 "), "1500000");
  assert.equal(plainNumber("1.5M"), "1.5M");
  assert.equal(plainNumber(null), "");
});

test("formatDay shows a calendar date on that very day, whatever the time zone", () => {
  const expected = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(2026, 11, 26));
  assert.equal(formatDay("2026-12-26"), expected);
  assert.equal(formatDay("soon"), "soon");
  assert.equal(formatDay(""), "—");
  assert.equal(formatDay(null), "—");
});

test("formatCost shows cents from a dollar up and four decimals below", () => {
  assert.equal(formatCost("1234.567"), "$1,234.57");
  assert.equal(formatCost("1.5"), "$1.50");
  assert.equal(formatCost("0.01234"), "$0.0123");
  assert.equal(formatCost("1.2E-3"), "$0.0012");
  for (const zero of ["0", "0.00", "-0", "", null]) assert.equal(formatCost(zero), "$0.00", String(zero));
});
