import { Match } from 'aws-cdk-lib/assertions';
import { buildApp } from '../support';

describe('Network', () => {
  const { templates } = buildApp();
  const t = templates.network;

  it('spans two AZs with private subnets only and no NAT gateway', () => {
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const s of Object.values(t.findResources('AWS::EC2::Subnet'))) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
  });

  it('has the S3 gateway endpoint and the Lambda and STS endpoints the MSK event source needs', () => {
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])]) }),
    });
    for (const service of ['lambda', 'sts']) {
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([`.${service}`])]) }),
      });
    }
  });

  it('opens only the MSK IAM port to the brokers: from the clients and from the cluster group itself', () => {
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    const toCluster = ingress.filter((r) => JSON.stringify(r.GroupId).includes('ClusterSecurityGroup'));
    expect(toCluster).toHaveLength(2);
    for (const r of toCluster) {
      expect([r.FromPort, r.ToPort, r.IpProtocol]).toEqual([9098, 9098, 'tcp']);
      expect(r.SourceSecurityGroupId).toBeDefined();
      expect(r.CidrIp).toBeUndefined();
    }
    expect(toCluster.map((r) => JSON.stringify(r.SourceSecurityGroupId))).toEqual(
      expect.arrayContaining([expect.stringContaining('ClientSecurityGroup'), expect.stringContaining('ClusterSecurityGroup')]),
    );
  });

  it('has no security-group rule open to 0.0.0.0/0 or ::/0 in any stack', () => {
    for (const template of Object.values(buildApp().templates)) {
      const json = JSON.stringify(template.toJSON());
      expect(json).not.toContain('0.0.0.0/0');
      expect(json).not.toContain('::/0');
    }
  });
});
