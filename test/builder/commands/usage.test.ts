import { Command } from '../../../src/builder/commands/command';
import { usage } from '../../../src/builder/commands/usage';

function command(name: string, options: string, examples: string[]): Command {
  return { name, flags: {}, synopsis: `${name.toUpperCase()}-ARGS`, options, examples, run: async () => 0 };
}

describe('usage', () => {
  test('puts each command\'s synopsis, options and examples in its place, in the table\'s order', () => {
    // GIVEN
    const commands = [command('make', 'Make options\n  --fast   quickly\n', ['x', 'y']), command('list', '', ['z'])];
    // WHEN
    const text = usage(commands);
    // THEN
    expect(text).toMatch(/^Usage\n {2}cdktf-docker-vm make MAKE-ARGS\n {2}cdktf-docker-vm list LIST-ARGS\n\nTurns a Dockerfile/);
    expect(text).toContain('\n\nMake options\n  --fast   quickly\n\nExit codes: 0 ok');
    expect(text).toMatch(/\n\nExamples\n {2}cdktf-docker-vm make x\n {2}cdktf-docker-vm make y\n {2}cdktf-docker-vm list z\n$/);
  });

  test('leaves out the options section of a command that has none', () => {
    expect(usage([command('list', '', [])])).not.toMatch(/\n\n\n/);
  });
});
