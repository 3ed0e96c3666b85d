import { checkFlags, parseArgs } from '../../../src/builder/cli-args';
import { COMMANDS, SWITCHES, commandNamed } from '../../../src/builder/commands/table';

describe('the command table', () => {
  test.each(COMMANDS.map(c => [c.name, c] as const))('every flag %s names in its help is one it takes', (_name, command) => {
    // GIVEN
    const named = [...`${command.synopsis}\n${command.options}`.matchAll(/--([a-z][a-z-]*)/g)].map(m => m[1]);
    // THEN
    expect(named.filter(name => !Object.hasOwn(command.flags, name))).toEqual([]);
  });

  test.each(COMMANDS.flatMap(c => c.examples.map(e => [c.name, e, c] as const)))('the example "%s %s" is a command line it takes', (name, example, command) => {
    // WHEN
    const args = parseArgs([name, ...example.split(' ')], SWITCHES);
    // THEN
    expect(args.command).toBe(name);
    expect(() => checkFlags(args, command.flags)).not.toThrow();
  });

  test('no flag is a switch in one command and takes a value in another', () => {
    const takesValue = COMMANDS.flatMap(c => Object.keys(c.flags).filter(name => c.flags[name] !== 'switch'));
    expect(takesValue.filter(name => SWITCHES.has(name))).toEqual([]);
  });

  test('finds a command by name', () => {
    expect(commandNamed('check').name).toBe('check');
  });

  test('fails when the command is unknown, naming every command', () => {
    expect(() => commandNamed('frobnicate')).toThrow('unknown command frobnicate; use build, run, boot, check, preview, libvirt-xml, wait-ready, upload-image, seal-image, delete-image-object, probe-image-url, remove-artifact, write-libvirt-xml, remove-libvirt-xml or cache (see cdktf-docker-vm --help)');
  });
});
