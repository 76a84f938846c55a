import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { stackLogsKey } from './logs-key';

/** MSK with IAM access control listens for TLS + SASL/IAM clients on 9098. */
export const MSK_IAM_PORT = 9098;

export interface NetworkProps {
  /** Use this VPC (existing-cluster mode) instead of creating one. @default a new VPC */
  readonly existing?: {
    readonly vpcId: string;
    readonly vpcCidr: string;
    readonly subnetIds: readonly string[];
    readonly availabilityZones: readonly string[];
    readonly clusterSecurityGroupId: string;
  };
  /** @default 2 */
  readonly maxAzs?: number;
}

/**
 * The VPC, private subnets, endpoints and security groups of the pipeline.
 *
 * No NAT gateway: everything in the VPC reaches AWS through endpoints. The Lambda MSK event
 * source mapping needs network paths to Lambda and STS from the cluster's subnets (Lambda
 * developer guide, "Configuring Amazon MSK event sources for Lambda" → network configuration:
 * a NAT gateway or VPC endpoints for Lambda and STS), and our functions in the VPC need S3
 * (gateway endpoint), Glue (schema registry, Avro pipelines), SSM is not called at run time.
 */
export class Network extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly subnets: ec2.SubnetSelection;
  /** Attached to the brokers: admits 9098 only from `clientSecurityGroup` and from itself. */
  public readonly clusterSecurityGroup: ec2.ISecurityGroup;
  /** Attached to every producer, processor and custom resource that talks to Kafka. */
  public readonly clientSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    if (props.existing) {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.existing.vpcId,
        vpcCidrBlock: props.existing.vpcCidr,
        availabilityZones: [...props.existing.availabilityZones],
        privateSubnetIds: [...props.existing.subnetIds],
      });
      this.subnets = { subnets: props.existing.subnetIds.map((s, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, s)) };
      this.clusterSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'ClusterSecurityGroup', props.existing.clusterSecurityGroupId, { mutable: true });
    } else {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: props.maxAzs ?? 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
        restrictDefaultSecurityGroup: true,
      });
      const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: stackLogsKey(this) });
      vpc.addFlowLog('rejected', { trafficType: ec2.FlowLogTrafficType.REJECT, destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
      this.vpc = vpc;
      this.subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      const endpointSg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc,
        allowAllOutbound: false,
        description: 'streamlake interface endpoints: HTTPS from inside the VPC',
      });
      endpointSg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS from the VPC');
      for (const [name, service] of [
        ['Lambda', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
        ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
        ['Glue', ec2.InterfaceVpcEndpointAwsService.GLUE],
      ] as const) {
        vpc.addInterfaceEndpoint(name, { service, subnets: this.subnets, securityGroups: [endpointSg], privateDnsEnabled: true });
      }
      this.clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', { vpc, allowAllOutbound: false, description: 'streamlake MSK brokers' });
    }
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      allowAllOutbound: false,
      description: 'streamlake Kafka clients: producers, processors, custom resources',
    });
    this.clientSecurityGroup.addEgressRule(this.clusterSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'MSK IAM port');
    this.clientSecurityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'AWS APIs through VPC endpoints');
    this.clientSecurityGroup.addEgressRule(ec2.Peer.prefixList(s3PrefixListId(this)), ec2.Port.tcp(443), 'S3 through the gateway endpoint');
    this.clusterSecurityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'MSK IAM from streamlake clients');
    // The event source mapping reaches the brokers with the cluster's own security group.
    this.clusterSecurityGroup.addIngressRule(this.clusterSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'MSK IAM from the event source mapping (self)');
    this.clusterSecurityGroup.addEgressRule(this.clusterSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'MSK IAM to brokers (self)');
    this.clusterSecurityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'Lambda and STS endpoints for the event source mapping');
  }
}

/**
 * The id of the AWS-managed S3 prefix list (`com.amazonaws.<region>.s3`), read at deploy time
 * (ec2:DescribeManagedPrefixLists) so the client group's S3 egress names S3, not 0.0.0.0/0.
 */
function s3PrefixListId(scope: Construct): string {
  const region = Stack.of(scope).region;
  const lookup = new cr.AwsCustomResource(scope, 'S3PrefixList', {
    onUpdate: {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.s3`] }] },
      physicalResourceId: cr.PhysicalResourceId.of(`s3-prefix-list-${region}`),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    },
    // ec2:Describe* actions support no resource-level permissions (Service Authorization Reference, Amazon EC2)
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] })]),
    installLatestAwsSdk: false,
  });
  return lookup.getResponseField('PrefixLists.0.PrefixListId');
}
