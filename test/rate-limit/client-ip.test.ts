import { describe, expect, it } from "vitest";
import { clientBucket } from "../../src/rate-limit/client-ip.js";

describe("clientBucket() (BF-02)", () => {
  it.each([
    ["1.2.3.4", "1.2.3.4"],
    ["203.0.113.7", "203.0.113.7"],
    ["255.255.255.255", "255.255.255.255"],
    ["0.0.0.0", "0.0.0.0"],
  ])("keeps the IPv4 address %s as its own bucket", (ip, bucket) => {
    expect(clientBucket(ip)).toBe(bucket);
  });

  it.each([
    ["::ffff:1.2.3.4"],
    ["::FFFF:1.2.3.4"],
    ["::ffff:0102:0304"],
    ["0:0:0:0:0:ffff:1.2.3.4"],
    ["0000:0000:0000:0000:0000:ffff:0102:0304"],
  ])("maps the IPv4-mapped IPv6 address %s to 1.2.3.4 (the same bucket as plain IPv4)", (ip) => {
    expect(clientBucket(ip)).toBe("1.2.3.4");
    expect(clientBucket(ip)).toBe(clientBucket("1.2.3.4"));
  });

  it("puts every written form of addresses in one /64 in the same bucket (BF-02, GHSA-p6v2-xcpg-h6xw)", () => {
    const forms = [
      "2001:db8:1:2::1",
      "2001:0db8:0001:0002:0000:0000:0000:0001",
      "2001:DB8:1:2:0:0:0:1",
      "2001:db8:1:2::",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:db8:1:2:abcd::42",
      "2001:db8:1:2:1:2:3:4",
      "2001:db8:1:2::1.2.3.4",
    ];
    const buckets = new Set(forms.map((ip) => clientBucket(ip)));
    expect(buckets).toEqual(new Set(["2001:db8:1:2::/64"]));
  });

  it("gives different /64 networks different buckets (BF-02)", () => {
    const nets = ["2001:db8:1:2::1", "2001:db8:1:3::1", "2001:db8:2:2::1", "2001:db9:1:2::1", "2001:db8:1:2:0:0:0:1"];
    const buckets = nets.map((ip) => clientBucket(ip));
    expect(new Set(buckets).size).toBe(4);
    expect(buckets[0]).toBe(buckets[4]);
  });

  it("keeps IPv4 and IPv6 clients apart (an IPv4 bucket never equals a /64 bucket)", () => {
    expect(clientBucket("1.2.3.4")).not.toBe(clientBucket("2001:db8::1.2.3.4"));
    expect(clientBucket("::1.2.3.4")).not.toBe("1.2.3.4");
  });

  it.each([
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["fe80::1%25eth0", "fe80:0:0:0::/64"],
    ["fe80::abcd%1", "fe80:0:0:0::/64"],
    ["::ffff:1.2.3.4%eth0", "1.2.3.4"],
  ])("ignores the zone id of %s", (ip, bucket) => {
    expect(clientBucket(ip)).toBe(bucket);
  });

  it.each([
    [""],
    [" "],
    ["garbage"],
    ["unknown"],
    ["1.2.3"],
    ["1.2.3.4.5"],
    ["256.1.1.1"],
    ["01.2.3.4"],
    [" 1.2.3.4"],
    ["1.2.3.4 "],
    ["1.2.3.4:80"],
    ["1.2.3.4, 5.6.7.8"],
    ["[::1]"],
    ["[2001:db8::1]:443"],
    ["2001:db8::1/64"],
    ["::ffff:999.1.1.1"],
    ["1:2:3:4:5:6:7:8:9"],
    ["2001:db8:::1"],
    ["2001:db8::1::2"],
    ["g::1"],
    ["12345::1"],
    ["%eth0"],
    ["1.2.3.4\u0000"],
    ["١.٢.٣.٤"],
    ["a".repeat(65)],
    ["1".repeat(10_000)],
    [`2001:db8:1:2::1%${"x".repeat(60)}`],
  ])("returns null for the malformed or oversized address %j", (ip) => {
    expect(clientBucket(ip)).toBeNull();
  });

  it.each([[null], [undefined], [42], [{}], [["1.2.3.4"]]])("returns null for the non-string %j", (ip) => {
    expect(clientBucket(ip as never)).toBeNull();
  });
});
