import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareVersions, isPinnedSpecifier, isValidSpecifier, pinnedVersion, satisfies } from '../../../src/models/python/pep440.ts';
import { evaluateMarker, formatMarker, linuxEnvironment, normalizeName, parseMarker, parseRequirement } from '../../../src/models/python/pep508.ts';

describe('PEP 440 through the fixed wrapper', () => {
  test('exclusive ordered comparisons follow PEP 440 (the library answers these wrongly)', () => {
    // @renovatebot/pep440 4.2.4 says false for the first three.
    assert.equal(satisfies('1.0', '<1.0.post1'), true);
    assert.equal(satisfies('1.0.post1', '<1.0.post2'), true);
    assert.equal(satisfies('1.0.post2', '>1.0.post1'), true);
    // and the PEP's own exclusions still hold:
    assert.equal(satisfies('1.0.post1', '>1.0'), false);
    assert.equal(satisfies('1.0a1', '<1.0'), false);
    assert.equal(satisfies('1.0a1', '<1.0a2'), true);
    assert.equal(satisfies('1.0+local', '>1.0'), false);
    assert.equal(satisfies('1.1+local', '>1.0'), true);
    assert.equal(satisfies('1.0', '<1.0'), false);
    assert.equal(satisfies('0.9', '<1.0.post1,>=0.5'), true);
  });

  test('other operators go to the library', () => {
    assert.equal(satisfies('1.4.5', '~=1.4.2'), true);
    assert.equal(satisfies('1.5.0', '~=1.4.2'), false);
    assert.equal(satisfies('1.5.3', '==1.5.*'), true);
    assert.equal(satisfies('1.5.3', '!=1.5.*,>=1.0'), false);
    assert.equal(satisfies('1.0+local', '==1.0'), true);
    // Pre-releases are admitted by default (lock validation); they can be refused.
    assert.equal(satisfies('2.0b1', '>=1.0'), true);
    assert.equal(satisfies('2.0b1', '>=1.0', { prereleases: false }), false);
    assert.equal(satisfies('1.0', 'not a specifier'), false);
  });

  test('pins as pip counts them', () => {
    assert.equal(isPinnedSpecifier('==1.2.3'), true);
    assert.equal(isPinnedSpecifier('===foo'), true);
    assert.equal(isPinnedSpecifier('==1.2.*'), true);
    assert.equal(pinnedVersion('==1.2.*'), undefined);
    assert.equal(pinnedVersion('==1.2.3'), '1.2.3');
    assert.equal(isPinnedSpecifier('>=1,<2'), false);
    assert.equal(isPinnedSpecifier('==1.0,!=1.0.1'), false);
    assert.equal(isValidSpecifier('~=1'), false);
    assert.equal(compareVersions('1.0.post1', '1.0'), 1);
    assert.equal(compareVersions('1!0.1', '2.0'), 1);
    assert.equal(compareVersions('x', '1'), undefined);
  });
});

describe('PEP 508', () => {
  test('requirements: names, extras, specifiers, URLs and markers', () => {
    const result = parseRequirement('Requests_Toolbelt[Socks, security] (>=1.0, <2) ; python_version < "3.11" and os_name == \'posix\'');
    assert.ok(result.ok);
    assert.equal(result.value.normalizedName, 'requests-toolbelt');
    assert.deepEqual(result.value.extras, ['Socks', 'security']);
    assert.equal(result.value.specifier, '>=1.0, <2');
    assert.equal(result.value.markerText, 'python_version < "3.11" and os_name == \'posix\'');
    const url = parseRequirement('pip @ https://github.com/pypa/pip/archive/22.0.2.zip ; python_version >= "3.7"');
    assert.ok(url.ok);
    assert.equal(url.value.url, 'https://github.com/pypa/pip/archive/22.0.2.zip');
    assert.ok(!parseRequirement('name >= 1.0 garbage').ok);
    assert.ok(!parseRequirement('[no-name]').ok);
    assert.ok(!parseRequirement('name ; unknown_var == "x"').ok);
  });

  test('PEP 503 names', () => {
    assert.equal(normalizeName('Foo.Bar__baz--QUX'), 'foo-bar-baz-qux');
  });

  test('markers evaluate against an environment, with unknowns left unknown', () => {
    const marker = parseMarker('python_version < "3.11" and (sys_platform == "win32" or extra == "Socks_Proxy")');
    assert.ok(marker.ok);
    assert.equal(evaluateMarker(marker.value, linuxEnvironment('3.10')), false);
    assert.equal(evaluateMarker(marker.value, linuxEnvironment('3.10', 'socks-proxy')), true);
    assert.equal(evaluateMarker(marker.value, linuxEnvironment('3.12', 'socks-proxy')), false);
    assert.equal(evaluateMarker(marker.value, { python_version: '3.10' }), undefined);
    assert.equal(evaluateMarker(marker.value, { python_version: '3.12' }), false);
    const versions = parseMarker('python_full_version >= "3.8.1" and "3.7" < python_version and platform_release in "5.15.0-1"');
    assert.ok(versions.ok);
    assert.equal(evaluateMarker(versions.value, { python_full_version: '3.10.0', python_version: '3.10', platform_release: '5.15' }), true);
    // Version comparison, not string comparison: "3.10" > "3.9".
    const numeric = parseMarker("python_version > '3.9'");
    assert.ok(numeric.ok);
    assert.equal(evaluateMarker(numeric.value, { python_version: '3.10' }), true);
    // PEP 751 sets.
    const sets = parseMarker("'dev' in dependency_groups or 'Docs' not in extras");
    assert.ok(sets.ok);
    assert.equal(evaluateMarker(sets.value, { dependency_groups: ['test'], extras: ['docs'] }), false);
    assert.equal(evaluateMarker(sets.value, { dependency_groups: ['dev'], extras: [] }), true);
  });

  test('legacy variable spellings and canonical formatting', () => {
    const marker = parseMarker("os.name=='posix' and (sys.platform == 'linux' or platform.machine == 'x86_64')");
    assert.ok(marker.ok);
    assert.equal(formatMarker(marker.value), 'os_name == "posix" and (sys_platform == "linux" or platform_machine == "x86_64")');
  });
});
