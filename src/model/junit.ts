/** JUnit XML, as CI systems read it: test suites of test cases, each passed, failed, skipped, or telling output. */

/** Characters XML 1.0 cannot carry at all, even escaped: control characters, lone surrogates, U+FFFE and U+FFFF. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what XML cannot carry
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as XML carries it, whatever it holds: markup escaped, and what XML cannot carry as U+FFFD. */
export const escapeXml = (text: string) =>
  text
    .replace(NOT_XML, '\uFFFD')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export interface JunitCase {
  name: string;
  failure?: { message: string; type: string; text: string };
  skipped?: string;
  output?: string;
}

export interface JunitSuite {
  name: string;
  classname: string;
  cases: JunitCase[];
}

function caseXml(classname: string, c: JunitCase): string {
  const body = c.failure
    ? `<failure message="${escapeXml(c.failure.message)}" type="${escapeXml(c.failure.type)}">${escapeXml(c.failure.text)}</failure>`
    : c.skipped !== undefined
      ? `<skipped message="${escapeXml(c.skipped)}"/>`
      : '';
  const output = c.output ? `<system-out>${escapeXml(c.output)}</system-out>` : '';
  return `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(c.name)}">${body}${output}</testcase>`;
}

/** One document of the suites given, with their counts. */
export function junitDocument(suites: JunitSuite[]): string {
  const count = (suite: JunitSuite, what: 'failure' | 'skipped') => suite.cases.filter((c) => c[what] !== undefined).length;
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + count(s, 'failure'), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="yandex-market-chats-sandbox" tests="${tests}" failures="${failures}">`,
    ...suites.flatMap((suite) => [
      `  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${count(suite, 'failure')}" errors="0" skipped="${count(suite, 'skipped')}">`,
      ...suite.cases.map((c) => caseXml(suite.classname, c)),
      '  </testsuite>',
    ]),
    '</testsuites>',
    '',
  ].join('\n');
}
