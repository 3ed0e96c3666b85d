import { checkFlags, parseArgs } from '../../src/builder/cli-args';
import { SpecError } from '../../src/builder/common/errors';

const SWITCHES = new Set(['json', 'quiet', 'help']);

describe('parseArgs', () => {
  test('splits the command, positional arguments and repeatable flags', () => {
    // WHEN
    const args = parseArgs(['build', 'extra', '--image', 'debian:12', '--output=out.img', '--json', '--kernel-arg', 'a=1', '--kernel-arg', 'b'], SWITCHES);
    // THEN
    expect(args.command).toBe('build');
    expect(args.positional).toEqual(['extra']);
    expect(Object.fromEntries(args.flags)).toEqual({ 'image': ['debian:12'], 'output': ['out.img'], 'json': ['true'], 'kernel-arg': ['a=1', 'b'] });
  });

  test('takes the next argument as the value even when it starts with a dash', () => {
    expect(parseArgs(['build', '--kernel-arg', '--', '--quiet'], SWITCHES).flags.get('kernel-arg')).toEqual(['--']);
  });

  test('takes no value for a switch, so the next word is the command', () => {
    expect(parseArgs(['--quiet', 'run'], SWITCHES)).toMatchObject({ command: 'run', positional: [] });
  });

  test('reads -h as --help', () => {
    expect(parseArgs(['-h'], SWITCHES).flags.get('help')).toEqual(['true']);
  });

  test('fails when a flag has no value', () => {
    expect(() => parseArgs(['build', '--output'], SWITCHES)).toThrow(SpecError);
    expect(() => parseArgs(['build', '--output'], SWITCHES)).toThrow('--output needs a value');
  });
});

describe('checkFlags', () => {
  const table = { 'output': 'value', 'kernel-arg': 'repeatable', 'json': 'switch' } as const;

  test('takes a repeatable flag and a switch given twice', () => {
    expect(() => checkFlags(parseArgs(['build', '--kernel-arg', 'a', '--kernel-arg', 'b', '--json', '--json'], SWITCHES), table)).not.toThrow();
  });

  test('fails when a value flag is given twice', () => {
    expect(() => checkFlags(parseArgs(['build', '--output', 'a', '--output', 'b'], SWITCHES), table)).toThrow('--output was given 2 times; give it once');
  });

  test.each(['bogus', 'constructor', 'toString'])('fails when the flag --%s is not the command\'s', (name) => {
    expect(() => checkFlags(parseArgs(['build', `--${name}`, 'x'], SWITCHES), table)).toThrow(`unknown option --${name} for build; see cdktf-docker-vm --help`);
  });
});
